import { dataSourceOptions } from '@switchboard/database';
import { useMigrationsTestBed } from '@switchboard/testing';
import { DataSource } from 'typeorm';
import { DeliveryEntity } from '../deliveries/delivery.entity';
import { StatusProgressEntity } from '../deliveries/status-progress.entity';
import { SubscriptionHealthEntity } from '../health/subscription-health.entity';
import { deliveryMigrations } from './migrations';

describe('delivery migrations', () => {
  const bed = useMigrationsTestBed(
    {
      schema: 'delivery',
      entities: [DeliveryEntity, StatusProgressEntity, SubscriptionHealthEntity],
      migrations: deliveryMigrations,
    },
    (options) => new DataSource(dataSourceOptions(options)),
  );

  it('creates the tables in the service schema, matching the entities', async () => {
    // when every pending migration runs on an empty database
    const applied = await bed.dataSource.runMigrations();

    // then the tables exist and TypeORM sees no difference from the entities
    expect(applied.map((m) => m.name)).toEqual([
      'Deliveries1764100000000',
      'PartialIndexes1764900000000',
      'Ordering1765200000000',
      'ServiceRole1796300000000',
    ]);
    expect(await bed.tables()).toEqual([
      'deliveries',
      'migrations',
      'status_progress',
      'subscription_health',
    ]);
    const pending = await bed.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('reverts cleanly and applies again', async () => {
    for (let i = 0; i < 4; i++) await bed.dataSource.undoLastMigration();
    expect(await bed.tables()).toEqual(['migrations']);
    await bed.dataSource.runMigrations();
    expect(await bed.tables()).toEqual([
      'deliveries',
      'migrations',
      'status_progress',
      'subscription_health',
    ]);
  });
});
