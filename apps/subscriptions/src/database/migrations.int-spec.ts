import { dataSourceOptions, ensureSchema } from '@switchboard/database';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { DataSource } from 'typeorm';
import { subscriptionsEntities } from './entities';
import { subscriptionsMigrations } from './migrations';

describe('subscriptions migrations', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('subscriptions_migrations');
    await ensureSchema(database.url, 'subscriptions');
    dataSource = new DataSource(
      dataSourceOptions({
        url: database.url,
        schema: 'subscriptions',
        entities: subscriptionsEntities,
        migrations: subscriptionsMigrations,
      }),
    );
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function tables(): Promise<string[]> {
    const rows: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'subscriptions' ORDER BY 1`,
    );
    return rows.map((r) => r.table_name);
  }

  const all = [
    'api_keys',
    'businesses',
    'deliveries',
    'delivery_attempts',
    'migrations',
    'outbox',
    'sources',
    'subscription_health',
    'subscriptions',
  ];

  it('creates the tables in the service schema, matching the entities', async () => {
    // when every pending migration runs on an empty database
    const applied = await dataSource.runMigrations();

    // then the tables exist and TypeORM sees no difference from the entities
    expect(applied.map((m) => m.name)).toEqual([
      'AdminConfig1764000000000',
      'DeliveryLog1764000000001',
      'ProviderSettings1764000000002',
      'SharedEndpoint1764000000003',
    ]);
    expect(await tables()).toEqual(all);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('refuses a second subscription for the same business and topic', async () => {
    // given a business with a subscription to messages
    await dataSource.query(`INSERT INTO businesses (id, created_at) VALUES ('biz_1', now())`);
    const insert = () =>
      dataSource.query(
        `INSERT INTO subscriptions (id, business_id, topic, address, state, configuration, secrets,
           created_at, updated_at, version)
         VALUES ($1, 'biz_1', 'messages', 'https://example.com', 'active', '{}', '[]', now(), now(), 1)`,
        [`sub_${Math.random()}`],
      );
    await insert();

    // then a second one for the same topic is refused by the database too
    await expect(insert()).rejects.toThrow(/subscriptions_business_id_topic_key/);
  });

  it('reverts cleanly and applies again', async () => {
    await dataSource.query(`DELETE FROM subscriptions`);
    await dataSource.query(`DELETE FROM businesses`);
    for (let i = 0; i < 4; i++) await dataSource.undoLastMigration();
    expect(await tables()).toEqual(['migrations']);
    await dataSource.runMigrations();
    expect(await tables()).toEqual(all);
  });
});
