import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  makeTestCertificates,
  repoRoot,
  type TestCertificates,
} from '@switchboard/testing';
import { Client } from 'pg';
import { postgresConnection } from './postgres-connection';

const script = join(repoRoot(__dirname), 'infra', 'postgres', 'postgres.mjs');

/**
 * A PostgreSQL server of its own with TLS on (`ssl = on`, a certificate for `localhost` signed by
 * a test CA), started by the same script as the local stack's, in a folder of its own.
 */
async function startTlsServer(certs: TestCertificates) {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-pg-tls-'));
  // as root the server's OS user (postgres) must reach into it
  chmodSync(dir, 0o755);
  const port = await freePort();
  // the script's own server, not the one DATABASE_URL names
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SWITCHBOARD_LOCAL_DIR: dir,
    POSTGRES_PORT: String(port),
    DATABASE_URL: '',
  };
  const run = (command: string) =>
    execFileSync(process.execPath, [script, command], { env, stdio: 'pipe', timeout: 120_000 });
  const stop = () => {
    try {
      run('stop');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    // initialised and started once (the database made), then stopped to turn TLS on
    run('start');
    run('stop');
    const data = join(dir, 'postgres', 'data');
    writeFileSync(join(data, 'server.crt'), certs.serverCert);
    writeFileSync(join(data, 'server.key'), certs.serverKey);
    chmodSync(join(data, 'server.key'), 0o600);
    if (process.getuid?.() === 0) {
      // as root the server runs as the OS user postgres, which must own its key
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      for (const file of ['server.crt', 'server.key']) chownSync(join(data, file), uid, gid);
    }
    appendFileSync(
      join(data, 'postgresql.conf'),
      "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
    );
    run('start');
  } catch (err) {
    stop();
    throw err;
  }
  return { port, stop };
}

describe('PostgreSQL over TLS with verify-full (a real server with ssl = on)', () => {
  let certs: TestCertificates;
  let server: Awaited<ReturnType<typeof startTlsServer>>;

  beforeAll(async () => {
    certs = makeTestCertificates(['localhost']);
    server = await startTlsServer(certs);
  }, 180_000);

  afterAll(() => {
    try {
      server?.stop();
    } finally {
      certs?.remove();
    }
  });

  const url = (host: string) =>
    `postgres://switchboard:switchboard@${host}:${server.port}/switchboard?sslmode=verify-full`;

  it('connects by the name in the certificate, trusting its CA, and every query runs over TLS', async () => {
    // when the service's connection settings are made from DATABASE_URL and the CA file
    const client = new Client(
      postgresConnection({ DATABASE_URL: url('localhost'), DATABASE_SSL_CA_FILE: certs.caFile }),
    );
    await client.connect();
    try {
      // then the server sees this very connection encrypted
      const { rows } = await client.query<{ ssl: boolean; version: string }>(
        'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      expect(rows).toEqual([{ ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) }]);
    } finally {
      await client.end();
    }
  });

  it('refuses the real server when another CA is trusted, or when reached by another name', async () => {
    const attempt = async (connectionUrl: string, caFile: string) => {
      const client = new Client({
        ...postgresConnection({ DATABASE_URL: connectionUrl, DATABASE_SSL_CA_FILE: caFile }),
        connectionTimeoutMillis: 5_000,
      });
      client.on('error', () => undefined);
      const error = await client.connect().then(
        () => new Error('unexpectedly connected'),
        (err: Error) => err,
      );
      await client.end().catch(() => undefined);
      return error.message;
    };
    expect(await attempt(url('localhost'), certs.otherCaFile)).toMatch(
      /self.signed|unable to verify|certificate/i,
    );
    expect(await attempt(url('127.0.0.1'), certs.caFile)).toMatch(/altnames/);
  });
});
