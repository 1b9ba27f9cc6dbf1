import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Businesses, their API keys (hashes only), sources and webhook subscriptions, and the outbox
 * that carries every source and subscription change to the compacted config topic.
 */
export class AdminConfig1764000000000 implements MigrationInterface {
  name = 'AdminConfig1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE businesses (
        id text PRIMARY KEY,
        name text,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        business_id text NOT NULL,
        prefix text NOT NULL,
        key_sha256 bytea NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT api_keys_business_id_fkey FOREIGN KEY (business_id)
          REFERENCES businesses (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX api_keys_key_sha256_key ON api_keys (key_sha256)`);
    await q.query(`CREATE INDEX api_keys_business_id_idx ON api_keys (business_id)`);
    await q.query(`
      CREATE TABLE sources (
        id text PRIMARY KEY,
        business_id text NOT NULL,
        provider text NOT NULL,
        environment text NOT NULL,
        enabled boolean NOT NULL,
        secrets jsonb NOT NULL,
        verify_token text,
        external_ids jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version bigint NOT NULL,
        CONSTRAINT sources_business_id_fkey FOREIGN KEY (business_id) REFERENCES businesses (id)
      )`);
    await q.query(`CREATE INDEX sources_business_id_idx ON sources (business_id)`);
    await q.query(`
      CREATE TABLE subscriptions (
        id text PRIMARY KEY,
        business_id text NOT NULL,
        topic text NOT NULL,
        address text NOT NULL,
        state text NOT NULL,
        configuration jsonb NOT NULL,
        secrets jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version bigint NOT NULL,
        CONSTRAINT subscriptions_business_id_fkey FOREIGN KEY (business_id)
          REFERENCES businesses (id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX subscriptions_business_id_topic_key ON subscriptions (business_id, topic)`,
    );
    // Record versions: one sequence for every config record, so a key deleted and created again
    // still gets a higher version than anything published for it before.
    await q.query(`CREATE SEQUENCE config_versions AS bigint`);
    await q.query(`
      CREATE TABLE outbox (
        seq bigserial PRIMARY KEY,
        config_key text NOT NULL,
        value jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP SEQUENCE config_versions`);
    await q.query(`DROP TABLE subscriptions`);
    await q.query(`DROP TABLE sources`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE businesses`);
  }
}
