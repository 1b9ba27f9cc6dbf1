import { dataSourceOptions, ensureSchema } from '@switchboard/database';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { DataSource } from 'typeorm';
import { DeliveryEntity } from '../deliveries/delivery.entity';
import { StatusProgressEntity } from '../deliveries/status-progress.entity';
import { SubscriptionHealthEntity } from '../health/subscription-health.entity';
import { deliveryMigrations } from './migrations';

describe('delivery migrations', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('delivery_migrations');
    await ensureSchema(database.url, 'delivery');
    dataSource = new DataSource(
      dataSourceOptions({
        url: database.url,
        schema: 'delivery',
        entities: [DeliveryEntity, StatusProgressEntity, SubscriptionHealthEntity],
        migrations: deliveryMigrations,
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
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'delivery' ORDER BY 1`,
    );
    return rows.map((r) => r.table_name);
  }

  it('creates the tables in the service schema, matching the entities', async () => {
    // when every pending migration runs on an empty database
    const applied = await dataSource.runMigrations();

    // then the tables exist and TypeORM sees no difference from the entities
    expect(applied.map((m) => m.name)).toEqual([
      'Deliveries1764100000000',
      'PartialIndexes1764900000000',
      'Ordering1765200000000',
    ]);
    expect(await tables()).toEqual([
      'deliveries',
      'migrations',
      'status_progress',
      'subscription_health',
    ]);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('reverts cleanly and applies again', async () => {
    await dataSource.undoLastMigration();
    await dataSource.undoLastMigration();
    await dataSource.undoLastMigration();
    expect(await tables()).toEqual(['migrations']);
    await dataSource.runMigrations();
    expect(await tables()).toEqual([
      'deliveries',
      'migrations',
      'status_progress',
      'subscription_health',
    ]);
  });
});
