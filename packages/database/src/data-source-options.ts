import { Client } from 'pg';
import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { type PostgresSsl } from './postgres-connection';
import { QueryLogger } from './query-logger';

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
}

/** TypeORM options for one service: never `synchronize`; the schema changes only by migrations. */
export function dataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
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
    // Failed statements are logged without their parameters (see QueryLogger).
    logger: new QueryLogger(),
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      // Unqualified names in migrations and queries mean the service's own schema.
      options: `-c search_path=${options.schema}`,
    },
  };
}

/** Creates the service's schema when missing: TypeORM keeps its migration history inside it. */
export async function ensureSchema(
  url: string,
  schema: string,
  ssl: PostgresSsl = false,
): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name "${schema}"`);
  const client = new Client({ connectionString: url, ssl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
}
