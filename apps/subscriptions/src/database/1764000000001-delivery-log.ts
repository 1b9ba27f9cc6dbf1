import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery log read model, fed by `switchboard.delivery.attempts.v1` and
 * `switchboard.subscriptions.events.v1`: every attempt, the latest state of each delivery, and
 * each subscription's last announced health.
 */
export class DeliveryLog1764000000001 implements MigrationInterface {
  name = 'DeliveryLog1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE delivery_attempts (
        id uuid PRIMARY KEY,
        delivery_id text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        business_id text NOT NULL,
        subscription_id text NOT NULL,
        topic text NOT NULL,
        attempt integer NOT NULL,
        attempted_at timestamptz NOT NULL,
        outcome text NOT NULL,
        status_code integer,
        latency_ms double precision NOT NULL,
        error text,
        response_body text,
        next_attempt_at timestamptz,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX delivery_attempts_delivery_id_idx ON delivery_attempts (delivery_id, attempt)`,
    );
    await q.query(
      `CREATE INDEX delivery_attempts_subscription_time_idx ON delivery_attempts (subscription_id, attempted_at)`,
    );
    await q.query(`
      CREATE TABLE deliveries (
        id text PRIMARY KEY,
        business_id text NOT NULL,
        subscription_id text NOT NULL,
        topic text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        attempts integer NOT NULL,
        outcome text NOT NULL,
        status_code integer,
        error text,
        first_attempt_at timestamptz NOT NULL,
        last_attempt_at timestamptz NOT NULL,
        next_attempt_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX deliveries_business_time_idx ON deliveries (business_id, last_attempt_at, id)`,
    );
    await q.query(`
      CREATE TABLE subscription_health (
        subscription_id text PRIMARY KEY,
        business_id text NOT NULL,
        topic text NOT NULL,
        status text NOT NULL,
        consecutive_failures integer NOT NULL,
        reason text NOT NULL,
        changed_at timestamptz NOT NULL,
        event_id uuid NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_health`);
    await q.query(`DROP TABLE deliveries`);
    await q.query(`DROP TABLE delivery_attempts`);
  }
}
