import { type AddressInfo, createServer, type Server, type Socket, connect } from 'node:net';
import { type ArgumentsHost, Logger, type LoggerService } from '@nestjs/common';
import { ErrorTranslation, HttpErrorFilter, loggerOptions } from '@switchboard/service-kit';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import pino, { type LoggerOptions } from 'pino';
import { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { dataSourceOptions, ensureSchema } from './data-source-options';
import { isDatabaseUnavailable, translateDatabaseError } from './database-unavailable.error';

/** A TCP hop in front of PostgreSQL that a test can take down and bring back. */
class PostgresHop {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** PostgreSQL is gone: open connections drop, new ones are refused. */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = null;
  }
}

/** Every line the service would log: Nest's loggers, TypeORM's, and the console. */
class CapturedLogs implements LoggerService {
  readonly lines: string[] = [];
  private readonly sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.lines.push(chunk.toString());
      done();
    },
  });
  /** The service's pino logger (loggerOptions), writing here. */
  private readonly pino = pino(loggerOptions('test', 'debug').pinoHttp as LoggerOptions, this.sink);

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  /** As nestjs-pino does: an object first argument is the merging object, a string the message. */
  private write(
    level: 'info' | 'error' | 'warn' | 'debug',
    message: unknown,
    rest: unknown[],
  ): void {
    if (typeof message === 'object' && message !== null) {
      const text = rest.find((r) => typeof r === 'string');
      this.pino[level](message instanceof Error ? { err: message } : message, text);
    } else {
      this.pino[level](String(message));
    }
  }

  console(...args: unknown[]): void {
    this.lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  }
}

describe('PostgreSQL failures', () => {
  let database: TestDatabase;
  let hop: PostgresHop;
  let dataSource: DataSource;
  const secret = 'whsec_9f8e7d6c5b4a';

  beforeAll(async () => {
    database = await createTestDatabase('database_failures');
    const url = new URL(database.url);
    hop = new PostgresHop({ host: url.hostname, port: Number(url.port || 5432) });
    await hop.up();
    url.host = `127.0.0.1:${hop.port}`;
    await ensureSchema(url.toString(), 'failures');
    dataSource = new DataSource({
      ...dataSourceOptions({
        url: url.toString(),
        schema: 'failures',
        entities: [],
        migrations: [],
      }),
      extra: { max: 2, connectionTimeoutMillis: 2_000, options: '-c search_path=failures' },
    });
    await dataSource.initialize();
    await dataSource.query(
      'CREATE TABLE secrets (id uuid PRIMARY KEY, value text NOT NULL UNIQUE, note text NOT NULL)',
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await hop?.down();
    await database?.drop();
  });

  afterEach(() => {
    jest.restoreAllMocks();
    Logger.overrideLogger(false);
  });

  it('logs a failed write without any of its parameters', async () => {
    // given the service's logs captured, console included
    const logs = new CapturedLogs();
    Logger.overrideLogger(logs);
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args) => logs.console(...args));
    }
    await dataSource.query('INSERT INTO secrets (id, value, note) VALUES ($1, $2, $3)', [
      '00000000-0000-4000-8000-000000000001',
      secret,
      'first',
    ]);

    // when writes carrying the secret fail: a duplicate, a malformed id, a missing column value
    const failures = await Promise.all(
      [
        ['00000000-0000-4000-8000-000000000002', secret, 'again'],
        [secret, 'other', 'bad id'],
        ['00000000-0000-4000-8000-000000000003', secret, null],
      ].map((params) =>
        dataSource.query('INSERT INTO secrets (id, value, note) VALUES ($1, $2, $3)', params).then(
          () => undefined,
          (err: unknown) => err,
        ),
      ),
    );
    // and each failure also reaches the HTTP error filter, as a request's would
    const filter = new HttpErrorFilter(new ErrorTranslation());
    for (const failure of failures) {
      const reply = { status: () => reply, send: () => reply, headers: () => reply };
      filter.catch(failure, {
        switchToHttp: () => ({ getResponse: () => reply }),
      } as unknown as ArgumentsHost);
    }

    // then PostgreSQL refused all three, the logs say so, and no line carries the secret
    expect(
      failures.map((f) => (f as { driverError?: { code?: string } }).driverError?.code),
    ).toEqual(['23505', '22P02', '23502']);
    const all = logs.lines.join('\n');
    expect(all).toContain('Query failed');
    expect(all).toContain('Unhandled error');
    expect(all).toContain('23505');
    expect(all).not.toContain(secret);
  });

  it('recognises PostgreSQL being down as unavailable, and answers 503 with Retry-After', async () => {
    // given a working connection
    await expect(dataSource.query('SELECT 1')).resolves.toBeDefined();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const translation = new ErrorTranslation();
    translation.register(translateDatabaseError);
    const filter = new HttpErrorFilter(translation);

    // when PostgreSQL goes away, for queries on open connections and on new ones
    await hop.down();
    const failures: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      failures.push(
        await dataSource.query('SELECT 1').then(
          () => undefined,
          (err: unknown) => err,
        ),
      );
    }

    // then every failure counts as the database being unavailable
    expect(failures.every((f) => f !== undefined)).toBe(true);
    expect(failures.map((f) => isDatabaseUnavailable(f))).toEqual([true, true, true]);
    // and a request that hit one is answered 503 database_unavailable with Retry-After
    const sent: { status?: number; headers?: Record<string, string>; body?: unknown } = {};
    const reply = {
      status: (s: number) => ((sent.status = s), reply),
      headers: (h: Record<string, string>) => ((sent.headers = h), reply),
      send: (b: unknown) => ((sent.body = b), reply),
    };
    filter.catch(failures[0], {
      switchToHttp: () => ({ getResponse: () => reply }),
    } as unknown as ArgumentsHost);
    expect(sent).toEqual({
      status: 503,
      headers: { 'retry-after': '5' },
      body: {
        error: {
          code: 'database_unavailable',
          message: 'The database is unavailable; retry shortly',
        },
      },
    });

    // and once it is back, queries work again and a wrong statement is no outage
    await hop.up();
    await expect(dataSource.query('SELECT 1')).resolves.toBeDefined();
    const wrong = await dataSource
      .query('SELECT * FROM no_such_table')
      .catch((err: unknown) => err);
    expect(isDatabaseUnavailable(wrong)).toBe(false);
  });
});
