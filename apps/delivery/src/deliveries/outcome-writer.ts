import type { AttemptRecord } from './delivery.repository';
import { GroupCommit, type GroupCommitOptions } from './group-commit';

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

export type OutcomeWriterOptions = GroupCommitOptions;

/**
 * Group commit of attempt outcomes: outcomes that arrive within a few milliseconds of each other
 * are stored by one statement in one transaction, so an attempt holds its subscription's lane
 * only for the HTTP exchange and the database sees one write per batch instead of one per
 * attempt. One write is in flight at a time; outcomes arriving meanwhile form the next batch.
 *
 * `record` resolves once the outcome is committed (true), or when the delivery had moved on
 * (false: another attempt was stored first); it rejects when the write failed, in which case the
 * delivery is still pending in PostgreSQL and is attempted again when its lease ends.
 */
export class OutcomeWriter {
  private readonly commit: GroupCommit<OutcomeToStore>;

  constructor(store: OutcomeStore, options: OutcomeWriterOptions) {
    this.commit = new GroupCommit(
      (outcomes) => store.recordAttempts(outcomes),
      (outcome) => outcome.deliveryId,
      options,
    );
  }

  /** Outcomes waiting to be written. */
  get pending(): number {
    return this.commit.pending;
  }

  async record(outcome: OutcomeToStore): Promise<boolean> {
    return (await this.commit.add([outcome])).has(outcome.deliveryId);
  }

  /** Resolves once everything recorded so far has been written (or has failed). */
  flush(): Promise<void> {
    return this.commit.flush();
  }
}
