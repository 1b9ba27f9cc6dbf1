import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  repoRoot,
  type ServiceName,
  type ServiceProcess,
  type TestDatabase,
  testKafka,
  uniqueName,
} from '@switchboard/testing';
import { startServices } from './stack';

/** The services that own a schema of their own name. */
const owners = ['normalizer', 'subscriptions', 'delivery'] as const satisfies ServiceName[];

/** The timestamps of the migrations a service ships (`<13 digits>-<name>.ts` in src/database). */
function migrationTimestamps(service: string): string[] {
  return readdirSync(join(repoRoot(), 'apps', service, 'src', 'database'))
    .map((file) => /^(\d{13})-.*\.ts$/.exec(file)?.[1])
    .filter((t): t is string => t !== undefined);
}

describe('services started with DATABASE_MIGRATIONS=verify', () => {
  const prefix = `${uniqueName('e2e-migrations')}.`;
  let database: TestDatabase;
  const services = new Map<ServiceName, ServiceProcess>();

  beforeAll(async () => {
    database = await createTestDatabase('e2e_migrations');
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop('SIGKILL')));
    await database?.drop();
    await deleteTopicsWithPrefix(testKafka(), prefix);
  });

  it('exit 1 on an empty schema, naming it, its pending migrations and the command; start once the command ran', async () => {
    // given an empty database, when the built services start with DATABASE_MIGRATIONS=verify
    const stack = {
      prefix,
      databaseUrl: database.url,
      operatorKey: 'e2e-operator-key-0123456789abcdef0123',
      env: { DATABASE_MIGRATIONS: 'verify', LOG_LEVEL: 'info' },
    };
    await startServices(services, owners, stack);

    // then each exits 1 with one line naming its schema, every pending migration and the command
    for (const name of owners) {
      const service = services.get(name)!;
      expect(await service.exited()).toBe(1);
      const refusal = service.logs.split('\n').filter((l) => l.includes('PendingMigrationsError'));
      expect(refusal).toHaveLength(1);
      expect(refusal[0]).toContain(`Schema "${name}" lacks`);
      expect(refusal[0]).toContain(`node apps/${name}/dist/migrate.js`);
      const timestamps = migrationTimestamps(name);
      expect(timestamps.length).toBeGreaterThan(0);
      for (const timestamp of timestamps) expect(refusal[0]).toContain(timestamp);
    }

    // when each service's migration command runs (twice, as a retried Job would)
    for (const name of owners) {
      for (let run = 0; run < 2; run += 1) {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [join('apps', name, 'dist', 'migrate.js')],
          { cwd: repoRoot(), env: { ...process.env, DATABASE_URL: database.url } },
        );
        const report = JSON.parse(stdout.split('\n').find((l) => l.includes('"migrated"'))!) as {
          applied: string[];
        };
        expect(report.applied).toHaveLength(run === 0 ? migrationTimestamps(name).length : 0);
      }
    }

    // then the same services, still with verify, start and become ready
    services.clear();
    await startServices(services, owners, stack);
    await Promise.all([...services.values()].map((s) => s.waitReady()));
  });
});
