/** Where a group commit writes: one statement for many items, resolving with the keys stored. */
export type GroupWrite<T> = (items: readonly T[]) => Promise<Set<string>>;

export interface GroupCommitOptions {
  /** How long the first item of a batch waits for company (0: only what arrives in the same turn). */
  flushIntervalMs: number;
  /** A batch this large is written at once. */
  maxBatch: number;
}

interface Waiting<T> {
  items: readonly T[];
  resolve: (stored: Set<string>) => void;
  reject: (err: Error) => void;
}

/**
 * Group commit: items that callers hand in within a short window are written by one statement,
 * one write in flight at a time; items arriving meanwhile form the next batch. Each caller learns
 * which of its own items were stored (by key), or that the write failed.
 */
export class GroupCommit<T> {
  private queue: Waiting<T>[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private writing: Promise<void> | null = null;

  constructor(
    private readonly write: GroupWrite<T>,
    private readonly keyOf: (item: T) => string,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Items waiting to be written (not counting the write under way). */
  get pending(): number {
    return this.queued;
  }

  /** Resolves with the keys of `items` that were stored; rejects when their write failed. */
  add(items: readonly T[]): Promise<Set<string>> {
    if (items.length === 0) return Promise.resolve(new Set());
    return new Promise<Set<string>>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queued += items.length;
      this.schedule();
    });
  }

  /** Resolves once everything handed in so far has been written (or has failed). */
  async flush(): Promise<void> {
    this.clearTimer();
    while (this.writing || this.queue.length > 0) {
      if (!this.writing) this.startWrite();
      await this.writing;
    }
  }

  private schedule(): void {
    if (this.writing) return; // The write under way starts the next one when it ends.
    if (this.queued >= this.options.maxBatch) {
      this.clearTimer();
      this.startWrite();
      return;
    }
    if (this.timer) return;
    const run = (): void => {
      this.timer = null;
      this.startWrite();
    };
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
    if (this.writing || this.queue.length === 0) return;
    const batch: Waiting<T>[] = [];
    let count = 0;
    while (
      this.queue.length > 0 &&
      (count === 0 || count + this.queue[0]!.items.length <= this.options.maxBatch)
    ) {
      const next = this.queue.shift()!;
      batch.push(next);
      count += next.items.length;
    }
    this.queued -= count;
    this.writing = this.run(batch).finally(() => {
      this.writing = null;
      if (this.queue.length > 0) this.schedule();
    });
  }

  private async run(batch: readonly Waiting<T>[]): Promise<void> {
    let stored: Set<string>;
    try {
      stored = await this.write(batch.flatMap((w) => w.items));
    } catch (err) {
      const failure = err instanceof Error ? err : new Error(String(err));
      for (const waiting of batch) waiting.reject(failure);
      return;
    }
    for (const waiting of batch) {
      const own = new Set<string>();
      for (const item of waiting.items) {
        const key = this.keyOf(item);
        if (stored.has(key)) own.add(key);
      }
      waiting.resolve(own);
    }
  }
}
