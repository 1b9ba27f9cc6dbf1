import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable deliveries (one row per event and subscription, under a deterministic id, with the
 * retry state and the event body) and endpoint health per subscription.
 */
export class Deliveries1764100000000 implements MigrationInterface {
  name = 'Deliveries1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY,
        subscription_id text NOT NULL,
        business_id text NOT NULL,
        topic text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        body text NOT NULL,
        test boolean NOT NULL DEFAULT false,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        schedule_base integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_attempt_at timestamptz,
        last_status_code integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The scheduler's query: pending deliveries by due time.
    await q.query(
      `CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE state = 'pending'`,
    );
    // Recovery: a subscription's deliveries dead-lettered since a time.
    await q.query(
      `CREATE INDEX deliveries_subscription_idx ON deliveries (subscription_id, state, updated_at)`,
    );
    // Retention: finished deliveries by age.
    await q.query(`CREATE INDEX deliveries_state_updated_idx ON deliveries (state, updated_at)`);
    await q.query(`
      CREATE TABLE subscription_health (
        subscription_id text PRIMARY KEY,
        business_id text NOT NULL,
        topic text NOT NULL,
        state text NOT NULL,
        consecutive_failures integer NOT NULL DEFAULT 0,
        first_failure_at timestamptz,
        last_failure_at timestamptz,
        last_success_at timestamptz,
        last_error text,
        disabled_version integer,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_health`);
    await q.query(`DROP TABLE deliveries`);
  }
}
