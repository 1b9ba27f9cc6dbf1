import {
  ensureServiceRole,
  migrateSchema,
  openServiceConnection,
  serviceRole,
} from '@switchboard/database';
import { useTestDatabase } from '@switchboard/testing';
import type { DataSource } from 'typeorm';
import { subscriptionsMigrations } from './migrations';

describe("the subscriptions schema under each service's role", () => {
  const database = useTestDatabase('subscriptions_roles');

  beforeAll(async () => {
    await migrateSchema({
      url: database.url,
      schema: 'subscriptions',
      migrations: subscriptionsMigrations,
    });
    // The other services' roles: their migrations, which create them, run in other databases here.
    await ensureServiceRole(database.client, serviceRole('delivery'));
    await ensureServiceRole(database.client, serviceRole('normalizer'));
  });

  /** A service's connection as DatabaseModule.forService opens it: its schema, as its role. */
  const connectAs = (schema: string): Promise<DataSource> =>
    database.closeWithIt(openServiceConnection(database.url, schema));

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
