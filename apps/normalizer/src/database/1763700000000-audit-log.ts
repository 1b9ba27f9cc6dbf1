import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The inbound audit log: raw webhooks as received and canonical events under deterministic ids. */
export class AuditLog1763700000000 implements MigrationInterface {
  name = 'AuditLog1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE raw_webhooks (
        id uuid PRIMARY KEY,
        source_id text NOT NULL,
        business_id text NOT NULL,
        provider text NOT NULL,
        environment text NOT NULL,
        received_at timestamptz NOT NULL,
        content_type text NOT NULL,
        headers jsonb NOT NULL,
        body bytea NOT NULL,
        body_sha256 text NOT NULL,
        outcome text NOT NULL,
        dead_letter jsonb,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX raw_webhooks_business_received_idx ON raw_webhooks (business_id, received_at)`,
    );
    await q.query(`
      CREATE TABLE canonical_events (
        id uuid PRIMARY KEY,
        raw_id uuid NOT NULL,
        type text NOT NULL,
        topic text NOT NULL,
        business_id text NOT NULL,
        message_id text,
        occurred_at timestamptz NOT NULL,
        event jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX canonical_events_message_id_idx ON canonical_events (message_id)`);
    await q.query(
      `CREATE INDEX canonical_events_business_time_idx ON canonical_events (business_id, occurred_at)`,
    );
    await q.query(`CREATE INDEX canonical_events_raw_id_idx ON canonical_events (raw_id)`);
    // The log is append-only: rows are never changed or removed by the service.
    await q.query(`
      CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME;
      END $$`);
    await q.query(`
      CREATE TRIGGER canonical_events_append_only BEFORE UPDATE OR DELETE ON canonical_events
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`);
    await q.query(`
      CREATE TRIGGER raw_webhooks_append_only BEFORE UPDATE OR DELETE ON raw_webhooks
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE canonical_events`);
    await q.query(`DROP TABLE raw_webhooks`);
    await q.query(`DROP FUNCTION audit_log_is_append_only()`);
  }
}
