import { Client } from 'pg';
import { DataSource, MigrationExecutor } from 'typeorm';
import {
  dataSourceOptions,
  ensureSchema,
  type ServiceDatabaseOptions,
} from './data-source-options';

/** The command that applies a service's migrations, from the repository root or the image's /app. */
export function migrateCommand(schema: string): string {
  return `node apps/${schema}/dist/migrate.js`;
}

/**
 * A service started with DATABASE_MIGRATIONS=verify found migrations its schema lacks. Not
 * retryable: the schema changes only when the migration command runs.
 */
export class PendingMigrationsError extends Error {
  // Private fields and getters: the log shows the message alone, on one line.
  readonly #schema: string;
  readonly #pending: readonly string[];
  readonly #command: string;

  constructor(
    schema: string,
    pending: readonly string[],
    command: string = migrateCommand(schema),
  ) {
    super(
      `Schema "${schema}" lacks ${pending.length} migration${pending.length === 1 ? '' : 's'} ` +
        `(${pending.join(', ')}) and DATABASE_MIGRATIONS=verify: not starting. ` +
        `Apply them with \`${command}\` (the migration Job runs it), or set DATABASE_MIGRATIONS=run.`,
    );
    this.name = 'PendingMigrationsError';
    // Where it was thrown says nothing the message does not.
    this.stack = `${this.name}: ${this.message}`;
    this.#schema = schema;
    this.#pending = pending;
    this.#command = command;
  }

  get code(): 'migrations_pending' {
    return 'migrations_pending';
  }
  get schema(): string {
    return this.#schema;
  }
  get pending(): readonly string[] {
    return this.#pending;
  }
  get command(): string {
    return this.#command;
  }
}

/**
 * The names of the migrations the service ships that its schema has not applied, oldest first.
 * Reads only: a missing schema or migrations table means every migration is pending.
 */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
  return pending.map((m) => m.name);
}

/** Refuses (PendingMigrationsError) when the data source's schema lacks any migration. */
export async function verifyMigrations(
  dataSource: DataSource,
  schema: string,
  command = migrateCommand(schema),
): Promise<void> {
  const pending = await pendingMigrations(dataSource);
  if (pending.length > 0) throw new PendingMigrationsError(schema, pending, command);
}

/** Where a service's migrations run: as the login, which owns the schema, never as its role. */
export type MigrationOptions = Omit<ServiceDatabaseOptions, 'entities' | 'poolSize' | 'role'>;

/** A data source for migrating or checking the schema: the login's rights, no entities. */
function migrationDataSource(options: MigrationOptions, poolSize: number): DataSource {
  const { url, ssl, schema, migrations } = options;
  return new DataSource(
    dataSourceOptions({ url, ssl: ssl ?? false, schema, migrations, entities: [], poolSize }),
  );
}

/**
 * Refuses (PendingMigrationsError) when the service's schema lacks any migration. Checked as the
 * login, as migrations run: until they have, the role the service runs as may not even exist.
 */
export async function verifySchema(options: MigrationOptions, command?: string): Promise<void> {
  const dataSource = await migrationDataSource(options, 1).initialize();
  try {
    await verifyMigrations(dataSource, options.schema, command);
  } finally {
    await dataSource.destroy();
  }
}

export interface MigrationReport {
  schema: string;
  /** Applied by this run, oldest first (none when the schema was up to date). */
  applied: string[];
  /** How many migrations the service ships. */
  known: number;
}

/**
 * Brings the service's schema up to date: creates it when missing and applies every pending
 * migration, each in its own transaction. Idempotent, and safe to run from several processes at
 * once: a PostgreSQL advisory lock per schema makes a second run wait, then find nothing to do.
 */
export async function migrateSchema(options: MigrationOptions): Promise<MigrationReport> {
  const ssl = options.ssl ?? false;
  const lock = new Client({ connectionString: options.url, ssl, connectionTimeoutMillis: 10_000 });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [
      `switchboard.migrate.${options.schema}`,
    ]);
    await ensureSchema(options.url, options.schema, ssl);
    const dataSource = await migrationDataSource(options, 2).initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      const left = await pendingMigrations(dataSource);
      if (left.length > 0) {
        throw new Error(
          `Schema "${options.schema}": ${left.join(', ')} still pending after the run`,
        );
      }
      return {
        schema: options.schema,
        applied: applied.map((m) => m.name),
        known: Array.isArray(options.migrations)
          ? options.migrations.length
          : Object.keys(options.migrations).length,
      };
    } finally {
      await dataSource.destroy();
    }
  } finally {
    // Ending the session releases the advisory lock.
    await lock.end();
  }
}
