import { databaseEnv, errorMessage, loadConfig } from '@switchboard/service-kit';
import { migrateSchema, type MigrationReport } from './migrations';
import { postgresConnection } from './postgres-connection';
import type { ServiceDatabaseOptions } from './data-source-options';

/**
 * The body of a service's migration command (`node apps/<service>/dist/migrate.js`): reads the
 * database settings the service reads (DATABASE_URL, DATABASE_SSL_*), brings the service's schema
 * up to date and prints one JSON line saying what it applied. Idempotent; the Kubernetes
 * migration Job runs it before the services roll.
 */
export async function runMigrations(
  schema: string,
  migrations: ServiceDatabaseOptions['migrations'],
  env: NodeJS.ProcessEnv = process.env,
): Promise<MigrationReport> {
  const config = loadConfig(`${schema} migration`, databaseEnv, env);
  const { connectionString, ssl } = postgresConnection(config);
  return migrateSchema({ url: connectionString, ssl, schema, migrations });
}

/** Runs `runMigrations` as a process: exit 0 when the schema is up to date, 1 (with why) otherwise. */
export function migrateAndExit(
  schema: string,
  migrations: ServiceDatabaseOptions['migrations'],
): void {
  runMigrations(schema, migrations).then(
    (report) => {
      process.stdout.write(
        `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'migrated', ...report, pending: [] })}\n`,
      );
    },
    (err: unknown) => {
      // The stack where there is one: a failing migration is found by it.
      process.stderr.write(`${(err instanceof Error && err.stack) || errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
