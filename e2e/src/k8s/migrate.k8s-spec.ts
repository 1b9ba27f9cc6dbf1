import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, eventually, repoRoot, type TestDatabase } from '@switchboard/testing';
import { K8S_DIR, run } from './cluster';

const SCHEMAS = ['normalizer', 'subscriptions', 'delivery'] as const;

/** The Job's containers: name, image and command, as migrate-job.yaml declares them. */
function jobContainers(): { name: string; image: string; command: string[] }[] {
  const yaml = readFileSync(join(K8S_DIR, 'base', 'migrate-job.yaml'), 'utf8');
  return [
    ...yaml.matchAll(
      /^ {8}- name: (\S+)\n {10}image: (\S+)\n(?: {10}.*\n)*? {10}command: \[(.*)\]$/gm,
    ),
  ].map((m) => ({ name: m[1]!, image: m[2]!, command: m[3]!.split(',').map((a) => a.trim()) }));
}

/** Runs the Job's container for `app` the way the image does, with this checkout as /app. */
function migrate(app: string, databaseUrl: string) {
  const container = jobContainers().find((c) => c.name === app);
  if (!container) throw new Error(`the migration Job has no container ${app}`);
  const [file, ...args] = container.command.map((a) => a.replace(/^\/app\//, `${repoRoot()}/`));
  return run(file === 'node' ? process.execPath : file!, args, {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_MIGRATIONS: 'verify',
      DATABASE_URL: databaseUrl,
    },
    timeoutMs: 120_000,
  });
}

function report(stdout: string): {
  schema: string;
  applied: string[];
  known: number;
  pending: string[];
} {
  const line = stdout.split('\n').find((l) => l.startsWith('{') && l.includes('"msg":"migrated"'));
  if (!line) throw new Error(`no report in:\n${stdout}`);
  return JSON.parse(line);
}

describe('the migration Job (infra/k8s/base/migrate-job.yaml)', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase('k8s_migrate');
  });

  afterEach(async () => {
    await database.drop();
  });

  async function appliedMigrations(schema: string): Promise<string[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        `SELECT name FROM "${schema}".migrations ORDER BY id`,
      );
      return rows.map((r) => r.name);
    } finally {
      await client.end();
    }
  }

  it('runs the migration command of each service that owns a schema, in that service’s image', () => {
    expect(jobContainers()).toEqual(
      SCHEMAS.map((app) => ({
        name: app,
        image: `switchboard/${app}`,
        command: ['node', `/app/apps/${app}/dist/migrate.js`],
      })),
    );
  });

  it.each(SCHEMAS)(
    'brings an empty %s schema up to date, and a second run changes nothing',
    async (app) => {
      // given an empty database, when the Job runs
      const first = await migrate(app, database.url);

      // then every migration the image ships is applied, and recorded
      expect(first.code).toBe(0);
      const firstReport = report(first.stdout);
      expect(firstReport.applied).toHaveLength(firstReport.known);
      expect(firstReport.schema).toBe(app);
      expect(firstReport.pending).toEqual([]);
      expect(await appliedMigrations(app)).toEqual(firstReport.applied);

      // when it runs again (a Job retried, or the next release with no new migration)
      const second = await migrate(app, database.url);

      // then it succeeds and applies nothing
      expect(second.code).toBe(0);
      expect(report(second.stdout).applied).toEqual([]);
      expect(await appliedMigrations(app)).toEqual(firstReport.applied);
    },
  );

  it('waits while another run holds the schema’s lock, then applies the migrations', async () => {
    // given another run holding the delivery schema's migration lock
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', ['switchboard.migrate.delivery']);

      // when the Job starts
      const running = migrate('delivery', database.url);

      // then it waits for the lock, having changed nothing
      await eventually(
        async () => {
          const { rows } = await holder.query<{ waiting: number }>(
            "SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
          );
          return rows[0]!.waiting === 1 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: 'the Job to wait for the lock' },
      );
      const { rows } = await holder.query<{ exists: boolean }>(
        "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = 'delivery' AND table_name = 'migrations') AS exists",
      );
      expect(rows[0]!.exists).toBe(false);

      // when the other run lets go, then the Job finishes the work
      await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [
        'switchboard.migrate.delivery',
      ]);
      const result = await running;
      expect(result.code).toBe(0);
      expect(await appliedMigrations('delivery')).toEqual(report(result.stdout).applied);
      expect(report(result.stdout).applied).toHaveLength(report(result.stdout).known);
    } finally {
      await holder.end();
    }
  });

  it('fails, naming the problem, when the database cannot be reached', async () => {
    const result = await migrate('normalizer', 'postgres://switchboard:x@127.0.0.1:1/none');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ECONNREFUSED/);
  });
});
