import { dataSourceOptions } from '@switchboard/database';
import { useMigrationsTestBed } from '@switchboard/testing';
import { DataSource } from 'typeorm';
import { subscriptionsEntities } from './entities';
import { subscriptionsMigrations } from './migrations';

describe('subscriptions migrations', () => {
  const bed = useMigrationsTestBed(
    {
      schema: 'subscriptions',
      entities: subscriptionsEntities,
      migrations: subscriptionsMigrations,
    },
    (options) => new DataSource(dataSourceOptions(options)),
  );

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
    const applied = await bed.dataSource.runMigrations();

    // then the tables exist and TypeORM sees no difference from the entities
    expect(applied.map((m) => m.name)).toEqual([
      'AdminConfig1764000000000',
      'DeliveryLog1764000000001',
      'ProviderSettings1764000000002',
      'SharedEndpoint1764000000003',
      'ServiceRole1796300000000',
    ]);
    expect(await bed.tables()).toEqual(all);
    const pending = await bed.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('refuses a second subscription for the same business and topic', async () => {
    // given a business with a subscription to messages
    await bed.dataSource.query(`INSERT INTO businesses (id, created_at) VALUES ('biz_1', now())`);
    const insert = () =>
      bed.dataSource.query(
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
    await bed.dataSource.query(`DELETE FROM subscriptions`);
    await bed.dataSource.query(`DELETE FROM businesses`);
    for (let i = 0; i < 5; i++) await bed.dataSource.undoLastMigration();
    expect(await bed.tables()).toEqual(['migrations']);
    await bed.dataSource.runMigrations();
    expect(await bed.tables()).toEqual(all);
  });
});
