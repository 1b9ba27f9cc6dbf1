import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replays in the audit log, and schema `audit`: the read-only, versioned views other services read
 * the log through (the documented contract, `AuditViews` in @switchboard/contracts). The views
 * name the tables without a schema, so they bind to the service's own schema at creation.
 */
export class AuditViews1763700000002 implements MigrationInterface {
  name = 'AuditViews1763700000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE replays (
        id uuid PRIMARY KEY,
        request_id uuid NOT NULL,
        raw_id uuid NOT NULL,
        outcome text NOT NULL,
        events_produced integer NOT NULL,
        events_published integer NOT NULL,
        dead_letters integer NOT NULL,
        requested_at timestamptz NOT NULL,
        replayed_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX replays_raw_id_idx ON replays (raw_id, replayed_at)`);
    await q.query(`
      CREATE TRIGGER replays_append_only BEFORE UPDATE OR DELETE ON replays
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`);
    await q.query(`CREATE SCHEMA IF NOT EXISTS audit`);
    await q.query(`
      CREATE VIEW audit.events_v1 AS
      SELECT id, raw_id, business_id, type, topic, message_id,
        CASE type
          WHEN 'whatsapp.message.received'
            THEN coalesce(event->'data'->>'from', event->'data'->'contact'->>'waId')
          WHEN 'whatsapp.message.echoed' THEN event->'data'->>'to'
          WHEN 'whatsapp.message.status_updated' THEN event->'data'->>'recipientId'
        END AS contact_phone,
        occurred_at, event
      FROM canonical_events`);
    await q.query(`
      CREATE VIEW audit.raw_webhooks_v1 AS
      SELECT id, business_id, source_id, provider, environment, received_at, content_type, body,
        outcome
      FROM raw_webhooks`);
    // A dead letter whose record did not decode has no raw webhook, hence no business: left out.
    // Raw ids are UUIDs (the envelope's schema), so the join can use raw_webhooks' primary key.
    await q.query(`
      CREATE VIEW audit.dead_letters_v1 AS
      SELECT d.id, r.business_id, r.id AS raw_id, r.source_id, r.provider, r.received_at,
        d.reason_code, d.message, d.issues, d.dead_letter->>'pointer' AS pointer,
        CASE WHEN d.dead_letter->'original'->>'kind' = 'item'
          THEN d.dead_letter->'original'->'value' END AS item,
        d.failed_at
      FROM dead_letters d JOIN raw_webhooks r ON r.id = d.raw_id::uuid`);
    await q.query(`
      CREATE VIEW audit.replays_v1 AS
      SELECT p.id, p.request_id, r.business_id, p.raw_id, p.outcome, p.events_produced,
        p.events_published, p.dead_letters, p.replayed_at
      FROM replays p JOIN raw_webhooks r ON r.id = p.raw_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW audit.replays_v1`);
    await q.query(`DROP VIEW audit.dead_letters_v1`);
    await q.query(`DROP VIEW audit.raw_webhooks_v1`);
    await q.query(`DROP VIEW audit.events_v1`);
    await q.query(`DROP SCHEMA audit`);
    await q.query(`DROP TABLE replays`);
  }
}
