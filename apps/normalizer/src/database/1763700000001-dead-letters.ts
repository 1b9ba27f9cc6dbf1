import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Dead letters in the audit log: every raw record the normalizer could not turn into events. */
export class DeadLetters1763700000001 implements MigrationInterface {
  name = 'DeadLetters1763700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dead_letters (
        id uuid PRIMARY KEY,
        raw_id text,
        source_id text,
        reason_code text NOT NULL,
        message text NOT NULL,
        issues jsonb NOT NULL,
        dead_letter jsonb NOT NULL,
        failed_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dead_letters_raw_id_idx ON dead_letters (raw_id)`);
    await q.query(`CREATE INDEX dead_letters_failed_at_idx ON dead_letters (failed_at)`);
    await q.query(`
      CREATE TRIGGER dead_letters_append_only BEFORE UPDATE OR DELETE ON dead_letters
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letters`);
  }
}
