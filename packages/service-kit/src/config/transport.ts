import { accessSync, constants, readFileSync } from 'node:fs';
import { z } from 'zod';

/** One bad setting: the variable it belongs to and what is wrong with it. */
export interface ConfigurationProblem {
  key: string;
  message: string;
}

/** `true`/`false` (or `1`/`0`) in the environment. */
export const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/** A path to a file the service can read (a CA bundle, a password file). */
const readableFile = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    try {
      accessSync(path, constants.R_OK);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      });
    }
  });

/** A file holding a secret: readable and not blank. Its content is read again when used. */
const secretFile = readableFile.superRefine((path, ctx) => {
  try {
    if (readSecretFile(path).length === 0) ctx.addIssue({ code: 'custom', message: 'is empty' });
  } catch {
    // Unreadable: already reported above.
  }
});

/** The content of a secret file without the line break editors and `echo` leave at its end. */
export function readSecretFile(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

export const KAFKA_SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512'] as const;

/**
 * How a service reaches the brokers: plaintext by default (the local stack on loopback), TLS
 * verified against the system roots or `KAFKA_SSL_CA_FILE`, and SASL/SCRAM credentials.
 */
export const kafkaTransportEnv = z.object({
  KAFKA_SSL: booleanFlag
    .default(false)
    .describe(
      "Connect to the brokers over TLS; the broker's certificate and host name are verified",
    ),
  KAFKA_SSL_CA_FILE: readableFile
    .optional()
    .describe(
      'PEM bundle the broker certificates are verified against (needs KAFKA_SSL=true); unset: the system roots',
    ),
  KAFKA_SASL_MECHANISM: z
    .enum(KAFKA_SASL_MECHANISMS, { error: 'must be scram-sha-256 or scram-sha-512' })
    .optional()
    .describe(
      'SASL mechanism, scram-sha-256 or scram-sha-512 (the password never crosses the wire); needs a user name and a password',
    ),
  KAFKA_SASL_USERNAME: z.string().min(1).optional().describe('SCRAM user name'),
  KAFKA_SASL_PASSWORD: z
    .string()
    .min(1)
    .optional()
    .describe('SCRAM password (or KAFKA_SASL_PASSWORD_FILE, not both)'),
  KAFKA_SASL_PASSWORD_FILE: secretFile
    .optional()
    .describe('File holding the SCRAM password (a mounted secret), instead of KAFKA_SASL_PASSWORD'),
  KAFKA_SASL_ALLOW_PLAINTEXT: booleanFlag
    .default(false)
    .describe('Accept SASL without TLS (a trusted network only); refused at start otherwise'),
});
export type KafkaTransportEnv = z.infer<typeof kafkaTransportEnv>;

/** The rules across the Kafka transport settings that no single variable can check. */
export function kafkaTransportProblems(env: KafkaTransportEnv): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  if (env.KAFKA_SSL_CA_FILE !== undefined && !env.KAFKA_SSL) {
    problems.push({ key: 'KAFKA_SSL_CA_FILE', message: 'is only used with KAFKA_SSL=true' });
  }
  const credentials =
    env.KAFKA_SASL_USERNAME !== undefined ||
    env.KAFKA_SASL_PASSWORD !== undefined ||
    env.KAFKA_SASL_PASSWORD_FILE !== undefined;
  if (env.KAFKA_SASL_MECHANISM === undefined) {
    if (credentials) {
      problems.push({
        key: 'KAFKA_SASL_MECHANISM',
        message: 'must be set (scram-sha-256 or scram-sha-512) when SASL credentials are given',
      });
    }
    return problems;
  }
  if (env.KAFKA_SASL_USERNAME === undefined) {
    problems.push({ key: 'KAFKA_SASL_USERNAME', message: 'is required with KAFKA_SASL_MECHANISM' });
  }
  if (env.KAFKA_SASL_PASSWORD !== undefined && env.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    problems.push({
      key: 'KAFKA_SASL_PASSWORD',
      message: 'set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both',
    });
  } else if (env.KAFKA_SASL_PASSWORD === undefined && env.KAFKA_SASL_PASSWORD_FILE === undefined) {
    problems.push({
      key: 'KAFKA_SASL_PASSWORD',
      message: 'is required with KAFKA_SASL_MECHANISM (or KAFKA_SASL_PASSWORD_FILE)',
    });
  }
  if (!env.KAFKA_SSL && !env.KAFKA_SASL_ALLOW_PLAINTEXT) {
    problems.push({
      key: 'KAFKA_SSL',
      message:
        'must be true when SASL is used (credentials would cross the network in plaintext); ' +
        'set KAFKA_SASL_ALLOW_PLAINTEXT=true to accept that on a trusted network',
    });
  }
  return problems;
}

/**
 * libpq's modes that a TLS connection can honour: `disable` (plaintext), `require` (encrypted,
 * certificate not checked), `verify-ca` (certificate chain checked) and `verify-full` (chain and
 * host name checked). `prefer` and `allow` fall back to plaintext silently and are refused.
 */
export const DATABASE_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type DatabaseSslMode = (typeof DATABASE_SSL_MODES)[number];

const sslModeMessage = `must be one of ${DATABASE_SSL_MODES.join(', ')}`;

/** Connection-string parameters that set TLS in other ways than the ones honoured here. */
const UNSUPPORTED_URL_TLS_PARAMETERS = [
  'ssl',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslnegotiation',
  'uselibpqcompat',
];

/** TLS settings of PostgreSQL (besides `sslmode` / `sslrootcert` in `DATABASE_URL`). */
export const databaseTransportEnv = z.object({
  DATABASE_SSL_MODE: z
    .enum(DATABASE_SSL_MODES, { error: sslModeMessage })
    .optional()
    .describe(
      "libpq's sslmode: disable, require, verify-ca or verify-full (prefer and allow are refused); " +
        'the same as ?sslmode= in DATABASE_URL, which it may not contradict; unset: that, else disable',
    ),
  DATABASE_SSL_CA_FILE: readableFile
    .optional()
    .describe(
      'PEM bundle the server certificate is verified against (verify-ca, verify-full); ' +
        'unset: sslrootcert= in DATABASE_URL, else the system roots',
    ),
});

/** The settings the database transport is resolved from. */
export interface DatabaseTransportEnv {
  DATABASE_URL: string;
  DATABASE_SSL_MODE?: DatabaseSslMode | undefined;
  DATABASE_SSL_CA_FILE?: string | undefined;
}

/** How a service connects to PostgreSQL once URL and variables are reconciled. */
export interface DatabaseTransport {
  /** DATABASE_URL without its TLS parameters (they are applied as options instead). */
  url: string;
  mode: DatabaseSslMode;
  /** PEM bundle to verify the server against; null means the system roots. */
  caFile: string | null;
}

/**
 * Reconciles `sslmode` / `sslrootcert` in DATABASE_URL with DATABASE_SSL_MODE /
 * DATABASE_SSL_CA_FILE. Without either, the connection is plaintext (the local stack).
 */
export function resolveDatabaseTransport(
  env: DatabaseTransportEnv,
):
  | { transport: DatabaseTransport; problems: [] }
  | { transport: null; problems: ConfigurationProblem[] } {
  const problems: ConfigurationProblem[] = [];
  const url = new URL(env.DATABASE_URL);
  const params = url.searchParams;
  const urlMode = params.get('sslmode');
  const urlRootCert = params.get('sslrootcert');
  for (const name of UNSUPPORTED_URL_TLS_PARAMETERS) {
    if (params.has(name)) {
      problems.push({
        key: 'DATABASE_URL',
        message: `parameter "${name}" is not supported; use sslmode (or DATABASE_SSL_MODE) and DATABASE_SSL_CA_FILE`,
      });
    }
  }
  if (urlMode !== null && !(DATABASE_SSL_MODES as readonly string[]).includes(urlMode)) {
    problems.push({ key: 'DATABASE_URL', message: `sslmode ${sslModeMessage}` });
  } else if (
    urlMode !== null &&
    env.DATABASE_SSL_MODE !== undefined &&
    urlMode !== env.DATABASE_SSL_MODE
  ) {
    problems.push({
      key: 'DATABASE_SSL_MODE',
      message: `is ${env.DATABASE_SSL_MODE} but DATABASE_URL says sslmode=${urlMode}`,
    });
  }
  if (
    urlRootCert !== null &&
    env.DATABASE_SSL_CA_FILE !== undefined &&
    urlRootCert !== env.DATABASE_SSL_CA_FILE
  ) {
    problems.push({
      key: 'DATABASE_SSL_CA_FILE',
      message: 'and sslrootcert in DATABASE_URL name different files',
    });
  }
  const mode = (env.DATABASE_SSL_MODE ?? urlMode ?? 'disable') as DatabaseSslMode;
  // libpq's `sslrootcert=system` means the system roots, as an unset CA file does here.
  const rootCert = env.DATABASE_SSL_CA_FILE ?? (urlRootCert === 'system' ? null : urlRootCert);
  if (rootCert !== null && mode !== 'verify-ca' && mode !== 'verify-full') {
    problems.push({
      key: env.DATABASE_SSL_CA_FILE !== undefined ? 'DATABASE_SSL_CA_FILE' : 'DATABASE_URL',
      message: `a CA file is only used with sslmode verify-ca or verify-full (the mode is ${mode})`,
    });
  }
  if (urlRootCert !== null && urlRootCert !== 'system' && env.DATABASE_SSL_CA_FILE === undefined) {
    try {
      accessSync(urlRootCert, constants.R_OK);
    } catch {
      problems.push({ key: 'DATABASE_URL', message: `sslrootcert: cannot read ${urlRootCert}` });
    }
  }
  if (problems.length > 0) return { transport: null, problems };
  let stripped = env.DATABASE_URL;
  if (urlMode !== null || urlRootCert !== null) {
    params.delete('sslmode');
    params.delete('sslrootcert');
    stripped = url.toString();
  }
  return { transport: { url: stripped, mode, caFile: rootCert ?? null }, problems: [] };
}
