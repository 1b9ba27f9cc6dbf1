import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaTransportEnv } from '@switchboard/service-kit';
import { kafkaSecurity } from './kafka-client';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe(kafkaSecurity.name, () => {
  let dir: string;
  let caFile: string;
  let passwordFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
    caFile = join(dir, 'ca.pem');
    passwordFile = join(dir, 'password');
    writeFileSync(caFile, PEM);
    writeFileSync(passwordFile, 'from-the-file\n');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env = (vars: Record<string, string>) => kafkaTransportEnv.parse(vars);

  it('gives neither TLS nor SASL for the default (plaintext) environment', () => {
    expect(kafkaSecurity(env({}))).toEqual({});
  });

  it('verifies the broker against the system roots when TLS has no CA file', () => {
    expect(kafkaSecurity(env({ KAFKA_SSL: 'true' }))).toEqual({
      ssl: { rejectUnauthorized: true },
    });
  });

  it('verifies the broker against the CA file when one is given', () => {
    expect(kafkaSecurity(env({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: caFile }))).toEqual({
      ssl: { rejectUnauthorized: true, ca: PEM },
    });
  });

  it.each(['scram-sha-256', 'scram-sha-512'] as const)('maps %s credentials', (mechanism) => {
    // given SCRAM over TLS with the password in the environment
    const security = kafkaSecurity(
      env({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: 'delivery',
        KAFKA_SASL_PASSWORD: 'pw',
      }),
    );

    // then kafkajs gets the mechanism and the credentials as they are
    expect(security.sasl).toEqual({ mechanism, username: 'delivery', password: 'pw' });
  });

  it('reads the password from KAFKA_SASL_PASSWORD_FILE without its final line break', () => {
    const security = kafkaSecurity(
      env({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'delivery',
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
      }),
    );
    expect(security.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'delivery',
      password: 'from-the-file',
    });
  });

  it('refuses SASL over plaintext unless it is allowed', () => {
    const sasl = {
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    };
    expect(() => kafkaSecurity(env(sasl))).toThrow(/KAFKA_SASL_ALLOW_PLAINTEXT/);
    expect(kafkaSecurity(env({ ...sasl, KAFKA_SASL_ALLOW_PLAINTEXT: 'true' }))).toEqual({
      sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' },
    });
  });
});
