import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { serviceRole } from './service-role';

/**
 * One connection of the service that owns `schema`, opened as `DatabaseModule.forService` opens
 * its pool (search path its schema, running as its role) but with no entities: what a test or an
 * operator's script uses to see what that service may reach. Destroy it when done.
 */
export async function openServiceConnection(url: string, schema: string): Promise<DataSource> {
  const dataSource = new DataSource(
    dataSourceOptions({
      url,
      schema,
      role: serviceRole(schema),
      entities: [],
      migrations: [],
      poolSize: 1,
    }),
  );
  return dataSource.initialize();
}
