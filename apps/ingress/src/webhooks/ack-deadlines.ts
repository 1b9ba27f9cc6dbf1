/** Raised for a webhook whose acknowledgement did not come within the deadline. */
export class AckTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Kafka did not acknowledge within ${timeoutMs} ms`);
    this.name = 'AckTimeoutError';
  }
}

interface Waiter {
  /** `performance.now()` by which the acknowledgement must have come. */
  readonly due: number;
  readonly fail: (err: Error) => void;
  settled: boolean;
}

/**
 * Gives every webhook the same time for Kafka's acknowledgement, with one timer for all of them
 * instead of one per request. All waits are equally long, so they end in the order they began: the
 * first unsettled waiter is always the next to time out, and one timer set for it is enough.
 */
export class AckDeadlines {
  /** Waiters in the order they began; those before `head` are done with. */
  private waiters: Waiter[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {}

  /** Waiting acknowledgements (for tests and metrics). */
  get pending(): number {
    let count = 0;
    for (let i = this.head; i < this.waiters.length; i++) if (!this.waiters[i]!.settled) count++;
    return count;
  }

  /** Settles as `acknowledged` does, unless the time is up first: then rejects with AckTimeoutError. */
  within(acknowledged: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        due: performance.now() + this.timeoutMs,
        fail: reject,
        settled: false,
      };
      this.waiters.push(waiter);
      this.timer ??= this.arm(this.timeoutMs);
      acknowledged.then(
        () => {
          if (this.settle(waiter)) resolve();
        },
        (err: unknown) => {
          if (this.settle(waiter)) reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /** Marks a waiter done; false when its time was already up. */
  private settle(waiter: Waiter): boolean {
    if (waiter.settled) return false;
    waiter.settled = true;
    // Most acknowledgements come in order: drop the settled ones at the front as they come.
    this.dropSettled();
    return true;
  }

  private dropSettled(): void {
    const { waiters } = this;
    while (this.head < waiters.length && waiters[this.head]!.settled) this.head++;
    if (this.head === waiters.length) {
      this.waiters = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= waiters.length) {
      this.waiters = waiters.slice(this.head);
      this.head = 0;
    }
  }

  private arm(delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(delayMs)));
    // A waiting webhook keeps its connection, and so the process, alive; the timer need not.
    timer.unref();
    return timer;
  }

  private expire(): void {
    this.timer = null;
    const now = performance.now();
    const timedOut: Waiter[] = [];
    for (let i = this.head; i < this.waiters.length; i++) {
      const waiter = this.waiters[i]!;
      if (waiter.due > now) break;
      if (!waiter.settled) {
        waiter.settled = true;
        timedOut.push(waiter);
      }
    }
    this.dropSettled();
    if (this.head < this.waiters.length) {
      this.timer = this.arm(this.waiters[this.head]!.due - now);
    }
    for (const waiter of timedOut) waiter.fail(new AckTimeoutError(this.timeoutMs));
  }
}
