import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from './test-resources';

// Jest's hooks, as globals of the test file that calls these helpers (this module is loaded
// outside Jest too, by the benchmarks, so it does not import @jest/globals).
declare const beforeAll: (fn: () => Promise<void>) => void;
declare const afterAll: (fn: () => Promise<void>) => void;

/** A database of a test file's own, with a client connected to it. */
export interface DatabaseForTests {
  /** The database's URL. */
  readonly url: string;
  /** A client connected to the database (as the test server's user). */
  readonly client: Client;
  /**
   * Destroys `resource` (a data source, a pool) in the file's `afterAll`, before the client ends
   * and the database is dropped; returns what it was given (or what it resolves to).
   */
  closeWithIt<T extends Closeable>(resource: T | Promise<T>): Promise<T>;
}

/** Something a test opens on its database and must end before the database is dropped. */
export interface Closeable {
  destroy(): Promise<unknown>;
}

function ready<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is set up in beforeAll: use it inside a test`);
  return value;
}

/** A fresh database with a connected client, and what ends both. */
async function openTestDatabase(
  prefix: string,
): Promise<{ database: TestDatabase; client: Client; close(): Promise<void> }> {
  const database = await createTestDatabase(prefix);
  const client = new Client({ connectionString: database.url });
  await client.connect();
  return {
    database,
    client,
    close: async () => {
      await client.end();
      await database.drop();
    },
  };
}

/**
 * Registers the test file's `beforeAll`, which creates a fresh database and connects a client,
 * and its `afterAll`, which destroys what the tests gave to `closeWithIt`, ends the client and
 * drops the database.
 */
export function useTestDatabase(prefix: string): DatabaseForTests {
  let opened: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  const resources: Closeable[] = [];
  beforeAll(async () => {
    opened = await openTestDatabase(prefix);
  });
  afterAll(async () => {
    await Promise.allSettled(resources.map((r) => r.destroy()));
    await opened?.close();
  });
  return {
    get url() {
      return ready(opened, 'The test database').database.url;
    },
    get client() {
      return ready(opened, 'The test database').client;
    },
    async closeWithIt<T extends Closeable>(resource: T | Promise<T>): Promise<T> {
      const ready = await resource;
      resources.push(ready);
      return ready;
    },
  };
}

/** What a migrations test uses of a TypeORM `DataSource` (so that this package needs no TypeORM). */
export interface MigratedDataSource {
  initialize(): Promise<unknown>;
  destroy(): Promise<void>;
}

export interface MigrationsTestBed<D extends MigratedDataSource> {
  /** The data source `open` made, initialized; its migrations are not run. */
  readonly dataSource: D;
  /** The database's URL. */
  readonly url: string;
  /** The names of the tables in the service's schema, sorted. */
  tables(): Promise<string[]>;
}

/**
 * Registers the `beforeAll` and `afterAll` of a service's migrations test: a fresh database with
 * the service's (empty) `options.schema`, and the data source `open` makes from `options` and the
 * database's URL, initialized; destroyed and dropped after the file's tests.
 */
export function useMigrationsTestBed<O extends { schema: string }, D extends MigratedDataSource>(
  options: O,
  open: (options: O & { url: string }) => D,
): MigrationsTestBed<D> {
  const { schema } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name "${schema}"`);
  let opened: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  let dataSource: D | undefined;
  beforeAll(async () => {
    opened = await openTestDatabase(`${schema}_migrations`);
    await opened.client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    dataSource = open({ ...options, url: opened.database.url });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await opened?.close();
  });
  return {
    get dataSource() {
      return ready(dataSource, 'The data source');
    },
    get url() {
      return ready(opened, 'The test database').database.url;
    },
    async tables() {
      const { rows } = await ready(opened, 'The test database').client.query<{
        table_name: string;
      }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [
        schema,
      ]);
      return rows.map((r) => r.table_name);
    },
  };
}
