import {
  dataSourceOptions,
  ensureServiceRole,
  migrateSchema,
  serviceRole,
} from '@switchboard/database';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { subscriptionsMigrations } from './migrations';

describe("the subscriptions schema under each service's role", () => {
  let database: TestDatabase;
  const opened: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('subscriptions_roles');
    await migrateSchema({
      url: database.url,
      schema: 'subscriptions',
      migrations: subscriptionsMigrations,
    });
    // The other services' roles: their migrations, which create them, run in other databases here.
    const login = new Client({ connectionString: database.url });
    await login.connect();
    try {
      await ensureServiceRole(login, serviceRole('delivery'));
      await ensureServiceRole(login, serviceRole('normalizer'));
    } finally {
      await login.end();
    }
  });

  afterAll(async () => {
    await Promise.all(opened.map((d) => d.destroy()));
    await database?.drop();
  });

  /** A service's connection as DatabaseModule.forService opens it: its schema, as its role. */
  async function connectAs(schema: string): Promise<DataSource> {
    const dataSource = new DataSource(
      dataSourceOptions({
        url: database.url,
        schema,
        role: serviceRole(schema),
        entities: [],
        migrations: [],
        poolSize: 1,
      }),
    );
    opened.push(dataSource);
    return dataSource.initialize();
  }

  it("the subscriptions service's connection reads and writes its tables and sequences, not its migration history", async () => {
    // given the subscriptions service's connection
    const subscriptions = await connectAs('subscriptions');

    // when it writes a business and a subscription, numbers a version, and removes them again
    await subscriptions.query(`INSERT INTO businesses (id, created_at) VALUES ('biz_own', now())`);
    await subscriptions.query(
      `INSERT INTO subscriptions (id, business_id, topic, address, state, configuration, secrets,
         created_at, updated_at, version)
       VALUES ('sub_own', 'biz_own', 'messages', 'https://example.com', 'active', '{}', '[]',
         now(), now(), nextval('config_versions'))`,
    );
    await expect(
      subscriptions.query(`SELECT id, business_id FROM subscriptions WHERE id = 'sub_own'`),
    ).resolves.toEqual([{ id: 'sub_own', business_id: 'biz_own' }]);
    await subscriptions.query(`DELETE FROM subscriptions WHERE id = 'sub_own'`);
    await subscriptions.query(`DELETE FROM businesses WHERE id = 'biz_own'`);

    // then its migration history stays the migrations' to write
    await expect(subscriptions.query(`DELETE FROM migrations`)).rejects.toThrow(
      'permission denied for table migrations',
    );
  });

  it.each(['delivery', 'normalizer'])(
    "the %s service's connection cannot read the subscriptions",
    async (service) => {
      // given another service's connection
      const other = await connectAs(service);

      // when it reads the subscriptions or the businesses, then it is refused
      await expect(other.query(`SELECT id FROM subscriptions.subscriptions`)).rejects.toThrow(
        'permission denied for schema subscriptions',
      );
      await expect(other.query(`SELECT id FROM subscriptions.businesses`)).rejects.toThrow(
        'permission denied for schema subscriptions',
      );
    },
  );
});
