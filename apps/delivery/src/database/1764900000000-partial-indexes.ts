import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes only the rows each query looks for, so a delivery that is inserted pending and then
 * succeeds touches two indexes on each write instead of four: recover reads dead-lettered rows of
 * one subscription, the purge reads finished rows by age, the scheduler pending rows by due time.
 */
export class PartialIndexes1764900000000 implements MigrationInterface {
  name = 'PartialIndexes1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX deliveries_subscription_idx`);
    await q.query(`DROP INDEX deliveries_state_updated_idx`);
    await q.query(
      `CREATE INDEX deliveries_dead_lettered_idx ON deliveries (subscription_id, updated_at)
       WHERE state = 'dead_lettered'`,
    );
    await q.query(
      `CREATE INDEX deliveries_finished_idx ON deliveries (state, updated_at)
       WHERE state <> 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX deliveries_finished_idx`);
    await q.query(`DROP INDEX deliveries_dead_lettered_idx`);
    await q.query(
      `CREATE INDEX deliveries_subscription_idx ON deliveries (subscription_id, state, updated_at)`,
    );
    await q.query(`CREATE INDEX deliveries_state_updated_idx ON deliveries (state, updated_at)`);
  }
}
