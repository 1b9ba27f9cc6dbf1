import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, repoRoot, type TestDatabase } from '@switchboard/testing';
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

  it('lets two runs at once apply each migration exactly once', async () => {
    // when two Jobs (or a Job and its retry) run against the same schema at the same moment
    const [a, b] = await Promise.all([
      migrate('delivery', database.url),
      migrate('delivery', database.url),
    ]);

    // then both succeed, and between them each migration was applied once
    expect([a.code, b.code]).toEqual([0, 0]);
    const applied = [...report(a.stdout).applied, ...report(b.stdout).applied];
    expect(applied.sort()).toEqual((await appliedMigrations('delivery')).sort());
    expect(new Set(applied).size).toBe(applied.length);
  });

  it('fails, naming the problem, when the database cannot be reached', async () => {
    const result = await migrate('normalizer', 'postgres://switchboard:x@127.0.0.1:1/none');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ECONNREFUSED/);
  });
});
