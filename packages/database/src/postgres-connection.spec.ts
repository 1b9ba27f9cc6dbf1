import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresConnection } from './postgres-connection';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe(postgresConnection.name, () => {
  let dir: string;
  let caFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'postgres-connection-'));
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, PEM);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('connects the local stack in plaintext, with the URL as given', () => {
    const url = 'postgres://switchboard:switchboard@127.0.0.1:5433/switchboard';
    expect(postgresConnection({ DATABASE_URL: url })).toEqual({
      connectionString: url,
      ssl: false,
    });
  });

  it('encrypts without checking the certificate for sslmode=require', () => {
    expect(postgresConnection({ DATABASE_URL: 'postgres://db/app?sslmode=require' })).toEqual({
      connectionString: 'postgres://db/app',
      ssl: { rejectUnauthorized: false },
    });
  });

  it('checks the chain but not the host name for verify-ca', () => {
    // given verify-ca with a CA file
    const { ssl } = postgresConnection({
      DATABASE_URL: 'postgres://db/app',
      DATABASE_SSL_MODE: 'verify-ca',
      DATABASE_SSL_CA_FILE: caFile,
    });

    // then the chain is verified against the CA and any name is accepted
    expect(ssl).toMatchObject({ rejectUnauthorized: true, ca: PEM });
    expect(ssl && ssl.checkServerIdentity?.('elsewhere', {} as never)).toBeUndefined();
  });

  it('checks chain and host name for verify-full, against the system roots without a CA file', () => {
    const { connectionString, ssl } = postgresConnection({
      DATABASE_URL: 'postgresql://u:p@db.internal:5432/app?sslmode=verify-full',
    });
    expect(connectionString).toBe('postgresql://u:p@db.internal:5432/app');
    // No `ca` (Node's roots) and Node's own host name check (no checkServerIdentity override).
    expect(ssl).toEqual({ rejectUnauthorized: true });
  });

  it('uses sslrootcert from the URL as the CA file', () => {
    const { ssl } = postgresConnection({
      DATABASE_URL: `postgres://db/app?sslmode=verify-full&sslrootcert=${caFile}`,
    });
    expect(ssl).toEqual({ rejectUnauthorized: true, ca: PEM });
  });

  it('refuses settings loadConfig would refuse', () => {
    expect(() => postgresConnection({ DATABASE_URL: 'postgres://db/app?sslmode=prefer' })).toThrow(
      'Invalid database TLS settings: DATABASE_URL sslmode must be one of',
    );
  });
});
