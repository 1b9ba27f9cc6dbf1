import { Injectable } from '@nestjs/common';
import { type PreparedStatement, runPrepared } from '@switchboard/database';
import { DataSource } from 'typeorm';
import type { StatusProgress } from './ordering';

/** A status delivered: the furthest of its message becomes at least this one. */
export interface DeliveredStatus {
  subscriptionId: string;
  messageId: string;
  rank: number;
  status: string;
  at: Date;
}

const READ_PROGRESS: PreparedStatement = {
  name: 'delivery_read_status_progress',
  text: `SELECT rank, status FROM status_progress WHERE subscription_id = $1 AND message_id = $2`,
};

/** Raises each message's furthest status; a lower or equal rank changes nothing but its age. */
const RECORD_PROGRESS: PreparedStatement = {
  name: 'delivery_record_status_progress',
  text: `INSERT INTO status_progress AS p (subscription_id, message_id, rank, status, updated_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[],
                              $5::timestamptz[])
         ON CONFLICT (subscription_id, message_id) DO UPDATE SET
           rank = GREATEST(p.rank, EXCLUDED.rank),
           status = CASE WHEN EXCLUDED.rank > p.rank THEN EXCLUDED.status ELSE p.status END,
           updated_at = GREATEST(p.updated_at, EXCLUDED.updated_at)`,
};

/**
 * The furthest status delivered of each message, per subscription keeping statuses monotonic, in
 * PostgreSQL: shared by every instance and kept across restarts, for
 * `STATUS_PROGRESS_RETENTION_HOURS` after its last change.
 */
@Injectable()
export class StatusProgressRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(subscriptionId: string, messageId: string): Promise<StatusProgress | null> {
    const rows = await runPrepared<{ rank: number; status: string }>(
      this.dataSource,
      READ_PROGRESS,
      [subscriptionId, messageId],
    );
    return rows[0] ? { rank: rows[0].rank, status: rows[0].status } : null;
  }

  /** Records delivered statuses in one statement (several of one message: the furthest). */
  async record(statuses: readonly DeliveredStatus[]): Promise<void> {
    const furthest = new Map<string, DeliveredStatus>();
    for (const status of statuses) {
      const key = `${status.subscriptionId}\u0000${status.messageId}`;
      const seen = furthest.get(key);
      if (!seen || status.rank > seen.rank) furthest.set(key, status);
    }
    const rows = [...furthest.values()];
    if (rows.length === 0) return;
    await runPrepared(this.dataSource, RECORD_PROGRESS, [
      rows.map((r) => r.subscriptionId),
      rows.map((r) => r.messageId),
      rows.map((r) => r.rank),
      rows.map((r) => r.status),
      rows.map((r) => r.at),
    ]);
  }

  /** Forgets up to `limit` messages whose furthest status last changed before `before`. */
  async purge(before: Date, limit: number): Promise<number> {
    const rows: { purged: number }[] = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM status_progress WHERE ctid IN (
           SELECT ctid FROM status_progress WHERE updated_at < $1 LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS purged FROM gone`,
      [before, limit],
    );
    return rows[0]?.purged ?? 0;
  }
}
