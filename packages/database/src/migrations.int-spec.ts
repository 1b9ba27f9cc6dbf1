import { Global, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ReadinessService } from '@switchboard/service-kit';
import { useTestDatabase } from '@switchboard/testing';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { DatabaseModule } from './database.module';
import { runMigrations } from './migrate-command';
import { PendingMigrationsError } from './migrations';
import { grantSchemaToServiceRole, revokeSchemaFromServiceRole, serviceRole } from './service-role';

/** Confines the service's role to its schema, first: the tables made later get the grants by default. */
class WidgetsRole1700000000000 implements MigrationInterface {
  name = 'WidgetsRole1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await grantSchemaToServiceRole(q, await currentSchema(q));
  }
  async down(q: QueryRunner): Promise<void> {
    await revokeSchemaFromServiceRole(q, await currentSchema(q));
  }
}

async function currentSchema(q: QueryRunner): Promise<string> {
  const [row] = (await q.query('SELECT current_schema() AS schema')) as { schema: string }[];
  return row!.schema;
}

class CreateWidgets1700000000001 implements MigrationInterface {
  name = 'CreateWidgets1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE widgets (id int PRIMARY KEY)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE widgets');
  }
}

class AddWidgetName1700000000002 implements MigrationInterface {
  name = 'AddWidgetName1700000000002';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE widgets ADD COLUMN name text NOT NULL DEFAULT ''`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE widgets DROP COLUMN name');
  }
}

/** A migration of the next release. */
class AddWidgetColour1700000000003 implements MigrationInterface {
  name = 'AddWidgetColour1700000000003';
  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE widgets ADD COLUMN colour text');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE widgets DROP COLUMN colour');
  }
}

const release1 = [WidgetsRole1700000000000, CreateWidgets1700000000001, AddWidgetName1700000000002];
const release2 = [...release1, AddWidgetColour1700000000003];

@Global()
@Module({
  providers: [{ provide: ReadinessService, useFactory: () => new ReadinessService() }],
  exports: [ReadinessService],
})
class ReadinessModule {}

describe(DatabaseModule.name, () => {
  const database = useTestDatabase('database_migrations');
  const started: INestApplicationContext[] = [];
  let schemaCount = 0;

  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.close()));
  });

  /** A schema of its own for each test. */
  function newSchema(): string {
    schemaCount += 1;
    return `widgets_${schemaCount}`;
  }

  /** Starts the service's database module as a service would, with DATABASE_MIGRATIONS=mode. */
  async function start(
    schema: string,
    migrations: (typeof release2)[number][],
    mode: 'run' | 'verify',
  ): Promise<INestApplicationContext> {
    @Module({
      imports: [
        ReadinessModule,
        DatabaseModule.forService(
          { DATABASE_URL: database.url, DATABASE_POOL_SIZE: 2, DATABASE_MIGRATIONS: mode },
          { schema, entities: [], migrations },
        ),
      ],
    })
    class ServiceModule {}
    const app = await NestFactory.createApplicationContext(ServiceModule, {
      logger: false,
      abortOnError: false,
    });
    started.push(app);
    return app;
  }

  async function startError(...args: Parameters<typeof start>): Promise<unknown> {
    return start(...args).then(
      () => undefined,
      (err: unknown) => err,
    );
  }

  async function columns(schema: string): Promise<string[]> {
    const { rows } = await database.client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = 'widgets' ORDER BY ordinal_position`,
      [schema],
    );
    return rows.map((r) => r.column_name);
  }

  async function schemaExists(schema: string): Promise<boolean> {
    const { rows } = await database.client.query<{ exists: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = $1) AS exists',
      [schema],
    );
    return rows[0]!.exists;
  }

  it('in verify mode refuses to start on an unmigrated schema, naming the pending migrations and the command, and changes nothing', async () => {
    // given an empty database
    const schema = newSchema();

    // when the service starts with DATABASE_MIGRATIONS=verify
    const err = await startError(schema, release1, 'verify');

    // then it refuses, naming the schema, each pending migration and the command to run
    expect(err).toBeInstanceOf(PendingMigrationsError);
    const refusal = err as PendingMigrationsError;
    expect(refusal.pending).toEqual([
      'WidgetsRole1700000000000',
      'CreateWidgets1700000000001',
      'AddWidgetName1700000000002',
    ]);
    expect(refusal.message).toContain(`Schema "${schema}"`);
    expect(refusal.message).toContain(
      'WidgetsRole1700000000000, CreateWidgets1700000000001, AddWidgetName1700000000002',
    );
    expect(refusal.message).toContain(`node apps/${schema}/dist/migrate.js`);
    expect(refusal.message).not.toContain('\n');
    // and verifying created nothing, not even the schema
    expect(await schemaExists(schema)).toBe(false);
  });

  it('in verify mode starts once the migrate command ran, and refuses again when a new release ships a migration', async () => {
    // given a schema brought up to date by the migration command
    const schema = newSchema();
    const report = await runMigrations(schema, release1, { DATABASE_URL: database.url });
    expect(report.applied).toEqual(release1.map((m) => m.name));

    // when the service starts with DATABASE_MIGRATIONS=verify, then it starts and reaches its tables
    const app = await start(schema, release1, 'verify');
    await expect(app.get(DataSource).query('SELECT id, name FROM widgets')).resolves.toEqual([]);

    // when the next release, with one more migration, starts before the command ran for it
    const err = await startError(schema, release2, 'verify');

    // then it names only the new migration, and the schema is unchanged
    expect(err).toBeInstanceOf(PendingMigrationsError);
    expect((err as PendingMigrationsError).pending).toEqual(['AddWidgetColour1700000000003']);
    expect(await columns(schema)).toEqual(['id', 'name']);

    // when the command runs again (twice: the Job retried), then the release starts
    expect((await runMigrations(schema, release2, { DATABASE_URL: database.url })).applied).toEqual(
      ['AddWidgetColour1700000000003'],
    );
    expect((await runMigrations(schema, release2, { DATABASE_URL: database.url })).applied).toEqual(
      [],
    );
    await start(schema, release2, 'verify');
    expect(await columns(schema)).toEqual(['id', 'name', 'colour']);
  });

  it('in run mode creates the schema and applies pending migrations at start', async () => {
    // given an empty database, when the service starts with DATABASE_MIGRATIONS=run
    const schema = newSchema();
    const app = await start(schema, release2, 'run');

    // then every migration is applied
    expect(await columns(schema)).toEqual(['id', 'name', 'colour']);
    await expect(app.get(DataSource).showMigrations()).resolves.toBe(false);
  });

  it("runs its pool as the schema's role: its own tables, not another schema's, not the migration history", async () => {
    // given two services' schemas in one database, the first one's service started
    const own = newSchema();
    const other = newSchema();
    const app = await start(own, release2, 'run');
    await runMigrations(other, release2, { DATABASE_URL: database.url });
    await database.client.query(`INSERT INTO "${other}".widgets (id, name) VALUES (1, 'theirs')`);
    const dataSource = app.get(DataSource);

    // when it queries, then it is the role, even after resetting it, and not the login
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('RESET ROLE');
      expect(await runner.query('SELECT current_user AS role')).toEqual([
        { role: serviceRole(own) },
      ]);
    } finally {
      await runner.release();
    }
    // and it reads and writes its own tables
    await dataSource.query(`INSERT INTO widgets (id, name, colour) VALUES (1, 'mine', 'red')`);
    await dataSource.query(`UPDATE widgets SET colour = 'blue' WHERE id = 1`);
    await expect(dataSource.query('SELECT id, name, colour FROM widgets')).resolves.toEqual([
      { id: 1, name: 'mine', colour: 'blue' },
    ]);
    // but neither the other schema nor its own migration history
    await expect(dataSource.query(`SELECT * FROM "${other}".widgets`)).rejects.toThrow(
      `permission denied for schema ${other}`,
    );
    await expect(
      dataSource.query(`DELETE FROM migrations WHERE name = 'AddWidgetColour1700000000003'`),
    ).rejects.toThrow('permission denied for table migrations');
    await expect(dataSource.query('CREATE TABLE gadgets (id int)')).rejects.toThrow(
      `permission denied for schema ${own}`,
    );
  });

  it('applies each migration once when two runs start at the same time', async () => {
    // given an empty schema, when two migration commands run at once
    const schema = newSchema();
    const [first, second] = await Promise.all([
      runMigrations(schema, release2, { DATABASE_URL: database.url }),
      runMigrations(schema, release2, { DATABASE_URL: database.url }),
    ]);

    // then one applied them all and the other found nothing to do
    expect([...first.applied, ...second.applied]).toEqual(release2.map((m) => m.name));
    const { rows } = await database.client.query<{ name: string }>(
      `SELECT name FROM "${schema}".migrations ORDER BY id`,
    );
    expect(rows.map((r) => r.name)).toEqual(release2.map((m) => m.name));
  });
});
