import {
  ensureServiceRole,
  migrateSchema,
  openServiceConnection,
  serviceRole,
} from '@switchboard/database';
import { useTestDatabase } from '@switchboard/testing';
import type { DataSource } from 'typeorm';
import { deliveryMigrations } from './migrations';

describe("the delivery schema under each service's role", () => {
  const database = useTestDatabase('delivery_roles');

  beforeAll(async () => {
    await migrateSchema({ url: database.url, schema: 'delivery', migrations: deliveryMigrations });
    // The other services' roles: their migrations, which create them, run in other databases here.
    await ensureServiceRole(database.client, serviceRole('subscriptions'));
    await ensureServiceRole(database.client, serviceRole('normalizer'));
  });

  /** A service's connection as DatabaseModule.forService opens it: its schema, as its role. */
  const connectAs = (schema: string): Promise<DataSource> =>
    database.closeWithIt(openServiceConnection(database.url, schema));

  it("the delivery service's connection reads and writes its tables, not its migration history", async () => {
    // given the delivery service's connection
    const delivery = await connectAs('delivery');

    // when it records an endpoint's health, changes it and removes it
    await delivery.query(
      `INSERT INTO subscription_health (subscription_id, business_id, topic, state)
       VALUES ('sub_1', 'biz_1', 'messages', 'active')`,
    );
    await delivery.query(
      `UPDATE subscription_health SET state = 'failing', consecutive_failures = 1
       WHERE subscription_id = 'sub_1'`,
    );
    await expect(
      delivery.query(`SELECT state, consecutive_failures FROM subscription_health`),
    ).resolves.toEqual([{ state: 'failing', consecutive_failures: 1 }]);
    await delivery.query(`DELETE FROM subscription_health WHERE subscription_id = 'sub_1'`);

    // then its migration history stays the migrations' to write
    await expect(delivery.query(`DELETE FROM migrations`)).rejects.toThrow(
      'permission denied for table migrations',
    );
  });

  it.each(['subscriptions', 'normalizer'])(
    "the %s service's connection cannot read the deliveries",
    async (service) => {
      // given another service's connection
      const other = await connectAs(service);

      // when it reads the retry queue or the endpoints' health, then it is refused
      await expect(other.query(`SELECT id FROM delivery.deliveries`)).rejects.toThrow(
        'permission denied for schema delivery',
      );
      await expect(
        other.query(`SELECT subscription_id FROM delivery.subscription_health`),
      ).rejects.toThrow('permission denied for schema delivery');
    },
  );
});
