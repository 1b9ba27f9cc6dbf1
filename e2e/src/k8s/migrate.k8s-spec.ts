import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, eventually, repoRoot, type TestDatabase } from '@switchboard/testing';
import { K8S_DIR, run } from './cluster';

const SCHEMAS = ['normalizer', 'subscriptions', 'delivery'] as const;

/** Runs the migration Job's script the way its container does, with this checkout as the image. */
function migrate(app: string, databaseUrl: string) {
  return run(process.execPath, [join(K8S_DIR, 'base', 'migrate', 'migrate.cjs')], {
    env: { ...process.env, APP: app, APP_ROOT: repoRoot(), DATABASE_URL: databaseUrl },
    timeoutMs: 120_000,
  });
}

function report(stdout: string): {
  app: string;
  applied: string[];
  known: number;
  pending: boolean;
} {
  const line = stdout.split('\n').find((l) => l.startsWith('{') && l.includes('"msg":"migrated"'));
  if (!line) throw new Error(`no report in:\n${stdout}`);
  return JSON.parse(line);
}

describe('the migration Job (infra/k8s/base/migrate/migrate.cjs)', () => {
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

  it.each(SCHEMAS)(
    'brings an empty %s schema up to date, and a second run changes nothing',
    async (app) => {
      // given an empty database, when the Job runs
      const first = await migrate(app, database.url);

      // then every migration the image ships is applied, and recorded
      expect(first.code).toBe(0);
      const firstReport = report(first.stdout);
      expect(firstReport.applied).toHaveLength(firstReport.known);
      expect(firstReport.pending).toBe(false);
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
