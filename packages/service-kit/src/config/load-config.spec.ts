import { z } from 'zod';
import {
  baseServiceEnv,
  commaList,
  ConfigurationError,
  databaseEnv,
  defaultMigrationsMode,
  loadConfig,
} from './load-config';

const serviceSchema = baseServiceEnv({ port: 8080, clientId: 'switchboard-ingress' }).extend(
  databaseEnv.shape,
);

/** Runs `fn`, expecting it to throw a ConfigurationError, and returns that error. */
function configurationErrorFrom(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigurationError) return err;
    throw err;
  }
  throw new Error('expected a ConfigurationError, but nothing was thrown');
}

describe(loadConfig.name, () => {
  it('returns the defaults when the environment sets nothing', () => {
    // given an empty environment
    const env = {};

    // when the service schema is loaded
    const config = loadConfig('ingress', serviceSchema, env);

    // then every setting has its default, with the right types
    expect(config).toEqual({
      HOST: '0.0.0.0',
      PORT: 8080,
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_CLIENT_ID: 'switchboard-ingress',
      KAFKA_REPLICATION_FACTOR: 1,
      KAFKA_TOPIC_PREFIX: '',
      KAFKA_SSL: false,
      KAFKA_SASL_ALLOW_PLAINTEXT: false,
      SHUTDOWN_TIMEOUT_MS: 15_000,
      DATABASE_URL: 'postgres://switchboard:switchboard@127.0.0.1:5433/switchboard',
      DATABASE_POOL_SIZE: 10,
      DATABASE_MIGRATIONS: 'run',
    });
  });

  it('coerces the strings of the environment into the values the schema declares', () => {
    // given an environment that sets numbers and a list as strings
    const env = {
      PORT: '9000',
      KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
      KAFKA_REPLICATION_FACTOR: '3',
      LOG_LEVEL: 'debug',
    };

    // when it is loaded
    const config = loadConfig('ingress', serviceSchema, env);

    // then they arrive typed
    expect(config).toMatchObject({
      PORT: 9000,
      KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:9092'],
      KAFKA_REPLICATION_FACTOR: 3,
      LOG_LEVEL: 'debug',
    });
  });

  it('lists every bad variable by name, at once', () => {
    // given an environment with five different mistakes
    const env = {
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      KAFKA_BROKERS: ' , ',
      KAFKA_TOPIC_PREFIX: 'my prefix!',
      DATABASE_URL: 'mysql://user:pass@db:3306/switchboard',
      HOST: '0.0.0.0',
    };

    // when it is loaded
    const error = configurationErrorFrom(() => loadConfig('ingress', serviceSchema, env));

    // then the error names the service and every bad key, in its problems and in its message
    const badKeys = ['DATABASE_URL', 'KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX', 'LOG_LEVEL', 'PORT'];
    expect(error.code).toBe('configuration_invalid');
    expect(error.service).toBe('ingress');
    expect([...new Set(error.problems.map((p) => p.key))].sort()).toEqual(badKeys);
    expect(error.message).toContain('Invalid configuration for ingress');
    for (const key of badKeys) expect(error.message).toContain(`  - ${key}: `);
    expect(error.message).not.toContain('HOST');
  });

  it('keeps the reason for each bad key next to it', () => {
    // given a bad database URL and an empty broker list
    const env = { DATABASE_URL: 'mysql://db/switchboard', KAFKA_BROKERS: ',' };

    // when it is loaded
    const error = configurationErrorFrom(() => loadConfig('delivery', serviceSchema, env));

    // then each problem says what is wrong with that key
    expect(error.problems).toEqual(
      expect.arrayContaining([
        { key: 'DATABASE_URL', message: 'must be a postgres:// URL' },
        { key: 'KAFKA_BROKERS', message: 'must list at least one value' },
      ]),
    );
  });

  it('reports a problem that belongs to no single key as "(environment)"', () => {
    // given a schema with a rule across keys
    const schema = z
      .object({ A: z.string().optional(), B: z.string().optional() })
      .refine((env) => env.A !== undefined || env.B !== undefined, 'set A or B');

    // when neither is set
    const error = configurationErrorFrom(() => loadConfig('svc', schema, {}));

    // then the problem is attributed to the environment as a whole
    expect(error.problems).toEqual([{ key: '(environment)', message: 'set A or B' }]);
  });
});

describe('commaList', () => {
  it('splits, trims and drops empty items', () => {
    // given a list with spaces and empty entries
    const value = ' kafka-1:9092 , ,kafka-2:9092 ,';

    // when it is parsed, then only the trimmed, non-empty items remain
    expect(commaList.parse(value)).toEqual(['kafka-1:9092', 'kafka-2:9092']);
  });

  it.each(['', ',', ' , , '])('rejects a list with no item (%j)', (value) => {
    // given a list with nothing in it, then it is refused
    const result = commaList.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('must list at least one value');
  });
});

describe(baseServiceEnv.name, () => {
  const schema = baseServiceEnv({ port: 8083, clientId: 'switchboard-delivery' });

  it('defaults the port and client id to what the service passes, and the brokers to local Kafka', () => {
    const config = schema.parse({});
    expect(config.PORT).toBe(8083);
    expect(config.KAFKA_CLIENT_ID).toBe('switchboard-delivery');
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it.each(['0', '65536', '80.5', 'http'])('rejects PORT=%s', (value) => {
    const result = schema.safeParse({ PORT: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['PORT']);
  });

  it.each(['test-run_1.a', 'ci.42', ''])('accepts KAFKA_TOPIC_PREFIX=%j', (value) => {
    expect(schema.parse({ KAFKA_TOPIC_PREFIX: value }).KAFKA_TOPIC_PREFIX).toBe(value);
  });

  it.each(['has space', 'a/b', 'tenant:1', 'ünïcode'])('rejects KAFKA_TOPIC_PREFIX=%j', (value) => {
    const result = schema.safeParse({ KAFKA_TOPIC_PREFIX: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['KAFKA_TOPIC_PREFIX']);
  });
});

describe('databaseEnv', () => {
  it.each(['postgres://u:p@db:5432/app', 'postgresql://db/app'])('accepts %s', (url) => {
    expect(databaseEnv.parse({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });

  it.each(['mysql://u:p@db:3306/app', 'http://db/app', 'not a url'])('rejects %s', (url) => {
    // given a URL that is not a PostgreSQL one
    const result = databaseEnv.safeParse({ DATABASE_URL: url });

    // then it is refused on DATABASE_URL
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['DATABASE_URL']);
  });

  it('migrates at start by default, and verifies in production', () => {
    // Jest runs with NODE_ENV=test: the local default
    expect(databaseEnv.parse({}).DATABASE_MIGRATIONS).toBe('run');
    expect(defaultMigrationsMode('production')).toBe('verify');
    expect(defaultMigrationsMode('development')).toBe('run');
    expect(defaultMigrationsMode(undefined)).toBe('run');
    expect(databaseEnv.parse({ DATABASE_MIGRATIONS: 'verify' }).DATABASE_MIGRATIONS).toBe('verify');
  });

  it('refuses a migrations mode it does not know', () => {
    const result = databaseEnv.safeParse({ DATABASE_MIGRATIONS: 'skip' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'DATABASE_MIGRATIONS: must be one of run, verify',
    ]);
  });

  it('bounds the pool size', () => {
    expect(databaseEnv.safeParse({ DATABASE_POOL_SIZE: '0' }).success).toBe(false);
    expect(databaseEnv.safeParse({ DATABASE_POOL_SIZE: '101' }).success).toBe(false);
    expect(databaseEnv.parse({ DATABASE_POOL_SIZE: '25' }).DATABASE_POOL_SIZE).toBe(25);
  });
});
