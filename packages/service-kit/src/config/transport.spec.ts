import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseServiceEnv, ConfigurationError, databaseEnv, loadConfig } from './load-config';
import {
  kafkaTransportEnv,
  kafkaTransportProblems,
  readSecretFile,
  resolveDatabaseTransport,
} from './transport';

const withDatabase = baseServiceEnv({ port: 8081, clientId: 'svc' }).extend(databaseEnv.shape);
const withoutDatabase = baseServiceEnv({ port: 8080, clientId: 'svc' });
const localUrl = 'postgres://switchboard:switchboard@127.0.0.1:5433/switchboard';

let dir: string;
let caFile: string;
let passwordFile: string;
let emptyFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'transport-spec-'));
  caFile = join(dir, 'ca.pem');
  passwordFile = join(dir, 'kafka-password');
  emptyFile = join(dir, 'empty');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n');
  writeFileSync(passwordFile, 's3cret-from-file\n');
  writeFileSync(emptyFile, '\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The problems loadConfig reports for an environment, or [] when it loads. */
function problemsOf(
  env: NodeJS.ProcessEnv,
  schema: typeof withDatabase | typeof withoutDatabase = withDatabase,
): { key: string; message: string }[] {
  try {
    loadConfig('svc', schema, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigurationError) return [...err.problems];
    throw err;
  }
}

describe('Kafka transport settings', () => {
  it('leave the connection plaintext and without SASL by default (the local stack)', () => {
    const config = loadConfig('svc', withoutDatabase, {});
    expect(config).toMatchObject({ KAFKA_SSL: false, KAFKA_SASL_ALLOW_PLAINTEXT: false });
    expect(config.KAFKA_SASL_MECHANISM).toBeUndefined();
  });

  it('accept TLS with SCRAM credentials and a CA file', () => {
    // given a complete secure setup
    const env = {
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ingress',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    };

    // when it is loaded, then it is accepted as given
    expect(loadConfig('svc', withoutDatabase, env)).toMatchObject({
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ingress',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    });
  });

  it('refuse SASL over plaintext, naming the way to accept it', () => {
    // given SCRAM credentials without TLS
    const env = {
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'ingress',
      KAFKA_SASL_PASSWORD: 'pw',
    };

    // then start-up is refused on KAFKA_SSL
    const problems = problemsOf(env, withoutDatabase);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.key).toBe('KAFKA_SSL');
    expect(problems[0]?.message).toContain('KAFKA_SASL_ALLOW_PLAINTEXT=true');

    // unless plaintext is explicitly allowed
    expect(problemsOf({ ...env, KAFKA_SASL_ALLOW_PLAINTEXT: 'true' }, withoutDatabase)).toEqual([]);
  });

  it('refuse SASL credentials without a mechanism, and a mechanism without credentials', () => {
    expect(
      problemsOf({ KAFKA_SSL: 'true', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toEqual([
      {
        key: 'KAFKA_SASL_MECHANISM',
        message: 'must be set (scram-sha-256 or scram-sha-512) when SASL credentials are given',
      },
    ]);
    expect(
      problemsOf({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-256' }).map((p) => p.key),
    ).toEqual(['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']);
  });

  it('refuse a password given twice', () => {
    const problems = kafkaTransportProblems(
      kafkaTransportEnv.parse({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
      }),
    );
    expect(problems).toEqual([
      {
        key: 'KAFKA_SASL_PASSWORD',
        message: 'set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both',
      },
    ]);
  });

  it.each(['plain', 'PLAIN', 'oauthbearer', 'aws'])('refuse the SASL mechanism %s', (mechanism) => {
    const problems = problemsOf({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: mechanism });
    expect(problems).toEqual([
      { key: 'KAFKA_SASL_MECHANISM', message: 'must be scram-sha-256 or scram-sha-512' },
    ]);
  });

  it('refuse a CA file without TLS, a missing CA file and an empty password file', () => {
    expect(problemsOf({ KAFKA_SSL_CA_FILE: caFile })).toEqual([
      { key: 'KAFKA_SSL_CA_FILE', message: 'is only used with KAFKA_SSL=true' },
    ]);
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })).toEqual([
      { key: 'KAFKA_SSL_CA_FILE', message: `cannot read ${join(dir, 'missing.pem')} (ENOENT)` },
    ]);
    expect(
      problemsOf({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: emptyFile,
      }),
    ).toEqual([{ key: 'KAFKA_SASL_PASSWORD_FILE', message: 'is empty' }]);
  });

  it('are reported together with the problems of the service schema', () => {
    // given a bad port and SASL over plaintext
    const env = {
      PORT: 'eighty',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    };

    // then both are listed at once
    expect(
      problemsOf(env)
        .map((p) => p.key)
        .sort(),
    ).toEqual(['KAFKA_SSL', 'PORT']);
  });
});

describe(readSecretFile.name, () => {
  it('drops the one line break at the end of the file', () => {
    expect(readSecretFile(passwordFile)).toBe('s3cret-from-file');
  });
});

describe('PostgreSQL transport settings', () => {
  it('leave the local stack in plaintext with the URL untouched', () => {
    expect(resolveDatabaseTransport({ DATABASE_URL: localUrl })).toEqual({
      transport: { url: localUrl, mode: 'disable', caFile: null },
      problems: [],
    });
  });

  it('take sslmode and sslrootcert from the URL and take them out of it', () => {
    // given a URL that sets libpq's TLS parameters next to another one
    const url = `postgres://u:p@db.internal:5432/app?application_name=sb&sslmode=verify-full&sslrootcert=${caFile}`;

    // when it is resolved
    const { transport } = resolveDatabaseTransport({ DATABASE_URL: url });

    // then the mode and CA come from it, and only the other parameter stays in the URL
    expect(transport).toEqual({
      url: 'postgres://u:p@db.internal:5432/app?application_name=sb',
      mode: 'verify-full',
      caFile,
    });
  });

  it('reads sslrootcert=system as the system roots', () => {
    const { transport } = resolveDatabaseTransport({
      DATABASE_URL: 'postgres://db/app?sslmode=verify-full&sslrootcert=system',
    });
    expect(transport).toEqual({ url: 'postgres://db/app', mode: 'verify-full', caFile: null });
  });

  it('takes DATABASE_SSL_MODE and DATABASE_SSL_CA_FILE from the environment', () => {
    const config = loadConfig('svc', withDatabase, {
      DATABASE_URL: 'postgres://db/app',
      DATABASE_SSL_MODE: 'verify-ca',
      DATABASE_SSL_CA_FILE: caFile,
    });
    expect(resolveDatabaseTransport(config).transport).toEqual({
      url: 'postgres://db/app',
      mode: 'verify-ca',
      caFile,
    });
  });

  it('refuses an environment that disagrees with the URL', () => {
    expect(
      problemsOf({
        DATABASE_URL: 'postgres://db/app?sslmode=require',
        DATABASE_SSL_MODE: 'verify-full',
      }),
    ).toEqual([
      { key: 'DATABASE_SSL_MODE', message: 'is verify-full but DATABASE_URL says sslmode=require' },
    ]);
  });

  it.each(['prefer', 'allow', 'no-verify'])('refuses sslmode=%s in the URL', (mode) => {
    expect(problemsOf({ DATABASE_URL: `postgres://db/app?sslmode=${mode}` })).toEqual([
      {
        key: 'DATABASE_URL',
        message: 'sslmode must be one of disable, require, verify-ca, verify-full',
      },
    ]);
  });

  it('refuses DATABASE_SSL_MODE=prefer', () => {
    expect(problemsOf({ DATABASE_SSL_MODE: 'prefer' })).toEqual([
      {
        key: 'DATABASE_SSL_MODE',
        message: 'must be one of disable, require, verify-ca, verify-full',
      },
    ]);
  });

  it.each(['require', 'disable'])('refuses a CA file with sslmode %s', (mode) => {
    expect(problemsOf({ DATABASE_SSL_MODE: mode, DATABASE_SSL_CA_FILE: caFile })).toEqual([
      {
        key: 'DATABASE_SSL_CA_FILE',
        message: `a CA file is only used with sslmode verify-ca or verify-full (the mode is ${mode})`,
      },
    ]);
  });

  it('refuses TLS parameters of the URL it does not honour', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgres://db/app?ssl=true&sslcert=/c.pem' });
    expect(problems.map((p) => p.message)).toEqual([
      'parameter "ssl" is not supported; use sslmode (or DATABASE_SSL_MODE) and DATABASE_SSL_CA_FILE',
      'parameter "sslcert" is not supported; use sslmode (or DATABASE_SSL_MODE) and DATABASE_SSL_CA_FILE',
    ]);
  });

  it('refuses an unreadable sslrootcert', () => {
    const missing = join(dir, 'nope.pem');
    expect(
      problemsOf({ DATABASE_URL: `postgres://db/app?sslmode=verify-full&sslrootcert=${missing}` }),
    ).toEqual([{ key: 'DATABASE_URL', message: `sslrootcert: cannot read ${missing}` }]);
  });

  it('is not checked for a service without a database', () => {
    // given database TLS settings that would be refused, for a service whose schema has no database
    const env = { DATABASE_SSL_MODE: 'require', DATABASE_SSL_CA_FILE: caFile };

    // then they are ignored there
    expect(problemsOf(env, withoutDatabase)).toEqual([]);
  });
});
