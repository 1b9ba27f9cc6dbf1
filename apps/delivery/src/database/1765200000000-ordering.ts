import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ordered delivery and status monotonicity. A delivery of an ordered subscription carries its
 * conversation (`ordering_key`), its event's time (`event_time`) and, once it has been taken as
 * its conversation's head, when that was (`head_since`): only a conversation's head is attempted,
 * and `deliveries_ordering_idx` finds whether an earlier pending delivery of the same
 * conversation exists without reading anything else. A status to a subscription that keeps
 * statuses monotonic carries its message id and rank; `status_progress` keeps, per subscription
 * and message, the highest rank delivered.
 */
export class Ordering1765200000000 implements MigrationInterface {
  name = 'Ordering1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE deliveries
         ADD COLUMN ordering_key text,
         ADD COLUMN event_time timestamptz,
         ADD COLUMN head_since timestamptz,
         ADD COLUMN message_id text,
         ADD COLUMN status_rank smallint`,
    );
    await q.query(
      `CREATE INDEX deliveries_ordering_idx
         ON deliveries (subscription_id, ordering_key, event_time, event_id)
         WHERE state = 'pending' AND ordering_key IS NOT NULL`,
    );
    await q.query(
      `CREATE TABLE status_progress (
         subscription_id text NOT NULL,
         message_id text NOT NULL,
         rank smallint NOT NULL,
         status text NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (subscription_id, message_id)
       )`,
    );
    await q.query(`CREATE INDEX status_progress_updated_idx ON status_progress (updated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE status_progress`);
    await q.query(`DROP INDEX deliveries_ordering_idx`);
    await q.query(
      `ALTER TABLE deliveries
         DROP COLUMN status_rank, DROP COLUMN message_id, DROP COLUMN head_since,
         DROP COLUMN event_time, DROP COLUMN ordering_key`,
    );
  }
}
