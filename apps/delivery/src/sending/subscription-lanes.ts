export interface SubscriptionLanesOptions {
  /** Attempts running at once for one subscription. */
  concurrency: number;
  /** Attempts waiting for a free slot for one subscription; beyond, `tryAcquire` says no. */
  queueLimit: number;
}

class Lane {
  active = 0;
  reserved = 0;
  /** Filled up since it last drained to half: its deliveries went to PostgreSQL meanwhile. */
  full = false;
  readonly waiting: (() => void)[] = [];

  get load(): number {
    return this.active + this.reserved + this.waiting.length;
  }
}

/** A place in one subscription's lane: run the attempt there, or give the place back. */
export interface LaneTicket {
  /** Runs the task as soon as the lane has a free slot. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Gives the place back without running anything. */
  cancel(): void;
}

/**
 * Per-subscription concurrency limits with a small queue each, so a slow or dead endpoint only
 * ever holds its own lane: once a lane is full, further deliveries to that subscription skip
 * the in-memory path and wait in PostgreSQL for the scheduler, and every other lane goes on.
 */
export class SubscriptionLanes {
  private readonly lanes = new Map<string, Lane>();
  private readonly freedListeners: ((subscriptionId: string) => void)[] = [];

  constructor(private readonly options: SubscriptionLanesOptions) {}

  /** How many more attempts the subscription's lane takes now. */
  capacity(subscriptionId: string): number {
    const lane = this.lanes.get(subscriptionId);
    return this.limit - (lane?.load ?? 0);
  }

  /** True when the lane takes nothing more. */
  saturated(subscriptionId: string): boolean {
    return this.capacity(subscriptionId) <= 0;
  }

  /**
   * Calls `listener` when a lane that was full has drained to half its size: room for a good
   * batch of the deliveries that waited in PostgreSQL meanwhile (waking the scheduler for every
   * single free slot would claim them one query at a time).
   */
  onFreed(listener: (subscriptionId: string) => void): void {
    this.freedListeners.push(listener);
  }

  /** Subscriptions whose lanes are full. */
  saturatedSubscriptions(): string[] {
    return [...this.lanes.entries()].filter(([, l]) => l.load >= this.limit).map(([id]) => id);
  }

  /** Attempts running now, over every lane. */
  get running(): number {
    let total = 0;
    for (const lane of this.lanes.values()) total += lane.active;
    return total;
  }

  /** Attempts holding a place but not running yet, over every lane. */
  get queued(): number {
    let total = 0;
    for (const lane of this.lanes.values()) total += lane.reserved + lane.waiting.length;
    return total;
  }

  /** Attempts running or waiting, over every lane. */
  get load(): number {
    let total = 0;
    for (const lane of this.lanes.values()) total += lane.load;
    return total;
  }

  /**
   * Reserves a place in the subscription's lane, or null when it is full. The longest an attempt
   * can then wait before it starts is `queueLimit / concurrency` attempts' time.
   */
  tryAcquire(subscriptionId: string): LaneTicket | null {
    let lane = this.lanes.get(subscriptionId);
    if (!lane) {
      lane = new Lane();
      this.lanes.set(subscriptionId, lane);
    }
    if (lane.load >= this.limit) return null;
    lane.reserved += 1;
    if (lane.load >= this.limit) lane.full = true;
    const owner = lane;
    let used = false;
    const take = (): void => {
      if (used) throw new Error('A lane ticket is used once');
      used = true;
      owner.reserved -= 1;
    };
    return {
      run: <T>(task: () => Promise<T>): Promise<T> => {
        take();
        return new Promise<T>((resolve, reject) => {
          const start = (): void => {
            owner.active += 1;
            let running: Promise<T>;
            try {
              running = task();
            } catch (err) {
              running = Promise.reject(err as Error);
            }
            running.then(resolve, reject).finally(() => {
              owner.active -= 1;
              this.next(subscriptionId, owner);
              this.released(subscriptionId, owner);
            });
          };
          if (owner.active < this.options.concurrency) start();
          else owner.waiting.push(start);
        });
      },
      cancel: () => {
        take();
        this.forgetIfIdle(subscriptionId, owner);
        this.released(subscriptionId, owner);
      },
    };
  }

  /** Resolves once no lane holds anything (every attempt started has finished). */
  async idle(pollMs = 20): Promise<void> {
    while (this.load > 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
  }

  private get limit(): number {
    return this.options.concurrency + this.options.queueLimit;
  }

  private released(subscriptionId: string, lane: Lane): void {
    if (!lane.full || lane.load > Math.floor(this.limit / 2)) return;
    lane.full = false;
    for (const listener of this.freedListeners) listener(subscriptionId);
  }

  private next(subscriptionId: string, lane: Lane): void {
    const start = lane.waiting.shift();
    if (start) start();
    else this.forgetIfIdle(subscriptionId, lane);
  }

  private forgetIfIdle(subscriptionId: string, lane: Lane): void {
    if (lane.load === 0 && this.lanes.get(subscriptionId) === lane) {
      this.lanes.delete(subscriptionId);
    }
  }
}
