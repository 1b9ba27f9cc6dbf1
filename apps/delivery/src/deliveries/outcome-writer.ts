import type { AttemptRecord } from './delivery.repository';

/** One attempt's outcome, to be stored on its delivery. */
export interface OutcomeToStore extends AttemptRecord {
  deliveryId: string;
  /** Attempts the delivery had before this one: the store is refused if another came first. */
  previousAttempts: number;
}

/** Where outcomes are stored: one statement for many, resolving with the delivery ids stored. */
export interface OutcomeStore {
  recordAttempts(outcomes: readonly OutcomeToStore[]): Promise<Set<string>>;
}

export interface OutcomeWriterOptions {
  /** How long the first outcome of a batch waits for company before the batch is written. */
  flushIntervalMs: number;
  /** A batch this large is written at once. */
  maxBatch: number;
}

interface Waiting {
  outcome: OutcomeToStore;
  resolve: (stored: boolean) => void;
  reject: (err: Error) => void;
}

/**
 * Group commit of attempt outcomes: outcomes that arrive within a few milliseconds of each other
 * are stored by one statement in one transaction, so an attempt holds its subscription's lane
 * only for the HTTP exchange and the database sees one write per batch instead of one per
 * attempt. One write is in flight at a time; outcomes arriving meanwhile form the next batch.
 *
 * `store` resolves once the outcome is committed (true), or when the delivery had moved on
 * (false: another attempt was stored first); it rejects when the write failed, in which case the
 * delivery is still pending in PostgreSQL and is attempted again when its lease ends.
 */
export class OutcomeWriter {
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;

  constructor(
    private readonly store: OutcomeStore,
    private readonly options: OutcomeWriterOptions,
  ) {}

  /** Outcomes waiting to be written, and in the write under way. */
  get pending(): number {
    return this.queue.length;
  }

  record(outcome: OutcomeToStore): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ outcome, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything recorded so far has been written (or has failed). */
  async flush(): Promise<void> {
    this.clearTimer();
    while (this.writing || this.queue.length > 0) {
      if (!this.writing) this.startWrite();
      await this.writing;
    }
  }

  private schedule(): void {
    if (this.writing) return; // The write under way starts the next one when it ends.
    if (this.queue.length >= this.options.maxBatch) {
      this.clearTimer();
      this.startWrite();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.startWrite();
    }, this.options.flushIntervalMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private startWrite(): void {
    if (this.writing || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.writing = this.write(batch).finally(() => {
      this.writing = null;
      if (this.queue.length > 0) this.schedule();
    });
  }

  private async write(batch: readonly Waiting[]): Promise<void> {
    let stored: Set<string>;
    try {
      stored = await this.store.recordAttempts(batch.map((w) => w.outcome));
    } catch (err) {
      const failure = err instanceof Error ? err : new Error(String(err));
      for (const waiting of batch) waiting.reject(failure);
      return;
    }
    for (const waiting of batch) waiting.resolve(stored.has(waiting.outcome.deliveryId));
  }
}
