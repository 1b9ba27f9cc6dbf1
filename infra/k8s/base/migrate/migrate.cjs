'use strict';
// Brings one service's PostgreSQL schema up to date, then exits: 0 when every migration the image
// holds is applied, 1 otherwise. Mounted into the migration Job and run with the service's own
// image (`node /migrate/migrate.cjs`), so it applies exactly the migrations that image ships.
//   APP       normalizer | subscriptions | delivery (the schema of the same name)
//   APP_ROOT  where the image holds the app (/app); DATABASE_URL and DATABASE_SSL_* as the service reads them
// Idempotent: applied migrations are skipped, and an advisory lock makes concurrent runs wait for
// each other. The services also run pending migrations at start; after this Job they find none.
const { createRequire } = require('node:module');
const path = require('node:path');

const SCHEMAS = ['normalizer', 'subscriptions', 'delivery'];

async function main() {
  const app = process.env.APP ?? '';
  if (!SCHEMAS.includes(app))
    throw new Error(`APP must be one of ${SCHEMAS.join(', ')}, not "${app}"`);
  const appDir = path.join(process.env.APP_ROOT ?? '/app', 'apps', app);
  const load = createRequire(path.join(appDir, 'package.json'));
  const { DataSource } = load('typeorm');
  const { Client } = load('pg');
  const database = load('@switchboard/database');
  const { databaseEnv, loadConfig } = load('@switchboard/service-kit');
  const migrations = load(path.join(appDir, 'dist', 'database', 'migrations.js'))[
    `${app}Migrations`
  ];
  if (!Array.isArray(migrations)) throw new Error(`${appDir} exports no ${app}Migrations`);

  const env = loadConfig(`${app} migration`, databaseEnv, process.env);
  const { connectionString, ssl } = database.postgresConnection(env);
  const lock = new Client({ connectionString, ssl, connectionTimeoutMillis: 10_000 });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`switchboard.migrate.${app}`]);
    await database.ensureSchema(connectionString, app, ssl);
    const dataSource = new DataSource(
      database.dataSourceOptions({
        url: connectionString,
        ssl,
        schema: app,
        entities: [],
        migrations,
        poolSize: 2,
      }),
    );
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      const pending = await dataSource.showMigrations();
      log({ app, applied: applied.map((m) => m.name), known: migrations.length, pending });
      if (pending) throw new Error(`${app}: migrations still pending after the run`);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.end();
  }
}

function log(fields) {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), msg: 'migrated', ...fields })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
