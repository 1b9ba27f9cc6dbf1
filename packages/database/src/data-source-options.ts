import { Client } from 'pg';
import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { type PostgresSsl } from './postgres-connection';
import { QueryLogger } from './query-logger';
import { sqlIdentifier } from './service-role';

export interface ServiceDatabaseOptions {
  url: string;
  /** TLS to the server (see `postgresConnection`); plaintext when absent or false. */
  ssl?: PostgresSsl;
  /** The PostgreSQL schema this service owns; its tables and migration history live there. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  /**
   * The role every connection runs as, set at connection start (`-c role=…`, as `SET ROLE`, and
   * kept by `RESET ROLE` / `RESET ALL`): a service's pool runs as `serviceRole(schema)`, confined
   * to what its migrations granted. Absent: the login's own rights (migrations, tests' setup).
   */
  role?: string;
}

/** TypeORM options for one service: never `synchronize`; the schema changes only by migrations. */
export function dataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
  // Unqualified names in migrations and queries mean the service's own schema.
  const settings = [`-c search_path=${sqlIdentifier(options.schema, 'schema name')}`];
  if (options.role !== undefined)
    settings.push(`-c role=${sqlIdentifier(options.role, 'role name')}`);
  return {
    type: 'postgres',
    url: options.url,
    ssl: options.ssl ?? false,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Extensions are created by migrations, never by a service's connection.
    installExtensions: false,
    // Failed statements are logged without their parameters (see QueryLogger).
    logger: new QueryLogger(),
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      options: settings.join(' '),
    },
  };
}

/** Creates the service's schema when missing: TypeORM keeps its migration history inside it. */
export async function ensureSchema(
  url: string,
  schema: string,
  ssl: PostgresSsl = false,
): Promise<void> {
  sqlIdentifier(schema, 'schema name');
  const client = new Client({ connectionString: url, ssl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
}
