/** Where a group commit writes: one statement for many items, resolving with the keys stored. */
export type GroupWrite<T> = (items: readonly T[]) => Promise<Set<string>>;

export interface GroupCommitOptions {
  /** How long the first item of a batch waits for company (0: only what arrives in the same turn). */
  flushIntervalMs: number;
  /** Most items one statement writes; a batch this large is written without waiting. */
  maxBatch: number;
}

/**
 * Fair composition of statements: items are queued per tenant (`tenantOf`), and each statement
 * takes up to `share` items of every waiting tenant in turn, round after round, until it is full.
 */
export interface GroupCommitFairness<T> {
  tenantOf: (item: T) => string;
  share: number;
}

/** One caller's hand-in: resolved once every one of its items was written. */
interface Caller {
  remaining: number;
  readonly stored: Set<string>;
  failed: boolean;
  resolve: (stored: Set<string>) => void;
  reject: (err: Error) => void;
}

interface Queued<T> {
  item: T;
  caller: Caller;
}

/**
 * Group commit: items that callers hand in within a short window are written by one statement,
 * one write in flight at a time; items arriving meanwhile form the next batch. Each caller learns
 * which of its own items were stored (by key), or that a write of its items failed.
 *
 * Without fairness the queue is first come, first served. With it, the queue is kept per tenant
 * and each statement is filled round-robin, so a tenant that hands in thousands of items at once
 * takes at most its share of a statement while others wait: another tenant's few items go into
 * the next statement, not behind the whole flood. A tenant alone still fills whole statements.
 */
export class GroupCommit<T> {
  /** Waiting items per tenant, in the order tenants are served next. */
  private readonly queues = new Map<string, Queued<T>[]>();
  private queued = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private writing: Promise<void> | null = null;

  constructor(
    private readonly write: GroupWrite<T>,
    private readonly keyOf: (item: T) => string,
    private readonly options: GroupCommitOptions,
    private readonly fairness?: GroupCommitFairness<T>,
  ) {}

  /** Items waiting to be written (not counting the write under way). */
  get pending(): number {
    return this.queued;
  }

  /** Resolves with the keys of `items` that were stored; rejects when a write of them failed. */
  add(items: readonly T[]): Promise<Set<string>> {
    if (items.length === 0) return Promise.resolve(new Set());
    return new Promise<Set<string>>((resolve, reject) => {
      const caller: Caller = {
        remaining: items.length,
        stored: new Set(),
        failed: false,
        resolve,
        reject,
      };
      for (const item of items) {
        const tenant = this.fairness?.tenantOf(item) ?? '';
        let queue = this.queues.get(tenant);
        if (!queue) {
          queue = [];
          this.queues.set(tenant, queue);
        }
        queue.push({ item, caller });
      }
      this.queued += items.length;
      this.schedule();
    });
  }

  /** Resolves once everything handed in so far has been written (or has failed). */
  async flush(): Promise<void> {
    this.clearTimer();
    while (this.writing || this.queued > 0) {
      if (!this.writing) this.startWrite();
      await this.writing;
    }
  }

  private schedule(): void {
    if (this.writing) return; // The write under way starts the next one when it ends.
    const run = (): void => {
      this.timer = null;
      this.startWrite();
    };
    if (this.queued >= this.options.maxBatch) {
      // A full batch goes without waiting, but after this turn: what other callers hand in
      // during it still gets its share of the statement.
      if (this.timer && this.options.flushIntervalMs === 0) return;
      this.clearTimer();
      this.timer = setImmediate(run);
      return;
    }
    if (this.timer) return;
    this.timer =
      this.options.flushIntervalMs > 0
        ? setTimeout(run, this.options.flushIntervalMs)
        : setImmediate(run);
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = null;
  }

  private startWrite(): void {
    if (this.writing || this.queued === 0) return;
    const batch = this.take();
    this.queued -= batch.length;
    this.writing = this.run(batch).finally(() => {
      this.writing = null;
      if (this.queued > 0) this.schedule();
    });
  }

  /** The next statement's items: every waiting tenant's share in turn until the batch is full. */
  private take(): Queued<T>[] {
    const max = this.options.maxBatch;
    const share = this.fairness?.share ?? max;
    const batch: Queued<T>[] = [];
    while (batch.length < max && this.queues.size > 0) {
      for (const [tenant, queue] of [...this.queues]) {
        const count = Math.min(share, max - batch.length, queue.length);
        batch.push(...queue.splice(0, count));
        // A tenant served goes to the back of the order (or away, when it has nothing left).
        this.queues.delete(tenant);
        if (queue.length > 0) this.queues.set(tenant, queue);
        if (batch.length >= max) break;
      }
    }
    return batch;
  }

  /** Drops the items still queued of callers already told their hand-in failed. */
  private forget(callers: ReadonlySet<Caller>): void {
    for (const [tenant, queue] of [...this.queues]) {
      const kept = queue.filter((q) => !callers.has(q.caller));
      this.queued -= queue.length - kept.length;
      if (kept.length === 0) this.queues.delete(tenant);
      else this.queues.set(tenant, kept);
    }
  }

  private async run(batch: readonly Queued<T>[]): Promise<void> {
    let stored: Set<string>;
    try {
      stored = await this.write(batch.map((q) => q.item));
    } catch (err) {
      const failure = err instanceof Error ? err : new Error(String(err));
      const failed = new Set<Caller>();
      for (const { caller } of batch) {
        if (caller.failed) continue;
        caller.failed = true;
        failed.add(caller);
        caller.reject(failure);
      }
      this.forget(failed);
      return;
    }
    for (const { item, caller } of batch) {
      const key = this.keyOf(item);
      if (stored.has(key)) caller.stored.add(key);
      caller.remaining -= 1;
      if (caller.remaining === 0 && !caller.failed) caller.resolve(caller.stored);
    }
  }
}
