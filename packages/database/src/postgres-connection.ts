import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import {
  type DatabaseSslMode,
  type DatabaseTransportEnv,
  resolveDatabaseTransport,
} from '@switchboard/service-kit';

/** The `ssl` option of `pg` (and of TypeORM's postgres driver): false for plaintext. */
export type PostgresSsl =
  false | Pick<ConnectionOptions, 'rejectUnauthorized' | 'ca' | 'checkServerIdentity'>;

/** What a `pg` client or pool needs to reach the service's database. */
export interface PostgresConnection {
  /** DATABASE_URL without `sslmode` / `sslrootcert`: they are applied as `ssl` instead. */
  connectionString: string;
  ssl: PostgresSsl;
}

/**
 * Maps DATABASE_URL and DATABASE_SSL_MODE / DATABASE_SSL_CA_FILE (validated by `loadConfig`) to
 * the options of `pg`, with libpq's meaning of each mode:
 * - `disable`: plaintext (the default, for the local stack on loopback);
 * - `require`: encrypted, the certificate not checked;
 * - `verify-ca`: the certificate chain checked against the CA file (else the system roots);
 * - `verify-full`: the chain and the server's host name checked.
 * The TLS parameters are taken out of the URL because `pg` would otherwise let them override
 * the options given here.
 */
export function postgresConnection(env: DatabaseTransportEnv): PostgresConnection {
  const resolved = resolveDatabaseTransport(env);
  if (!resolved.transport) {
    throw new Error(
      `Invalid database TLS settings: ${resolved.problems.map((p) => `${p.key} ${p.message}`).join('; ')}`,
    );
  }
  const { url, mode, caFile } = resolved.transport;
  return { connectionString: url, ssl: sslOptions(mode, caFile) };
}

function sslOptions(mode: DatabaseSslMode, caFile: string | null): PostgresSsl {
  const ca = caFile !== null ? { ca: readFileSync(caFile, 'utf8') } : {};
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // The chain is verified; the name in the certificate is not compared with the host.
      return { rejectUnauthorized: true, ...ca, checkServerIdentity: () => undefined };
    case 'verify-full':
      // Node compares the certificate with `servername` (the host name, which pg sets) or the
      // host it connected to (an IP address must then be in the certificate).
      return { rejectUnauthorized: true, ...ca };
  }
}
