import { z } from 'zod';
import {
  type ConfigurationProblem,
  databaseTransportEnv,
  type DatabaseTransportEnv,
  kafkaTransportEnv,
  kafkaTransportProblems,
  resolveDatabaseTransport,
} from './transport';

/** Raised before the service starts when its environment does not satisfy the config schema. */
export class ConfigurationError extends Error {
  readonly code = 'configuration_invalid';

  constructor(
    readonly service: string,
    readonly problems: readonly ConfigurationProblem[],
  ) {
    super(
      `Invalid configuration for ${service}:\n` +
        problems.map((p) => `  - ${p.key}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigurationError';
  }
}

/**
 * Parses the environment with the service's zod schema, then checks the rules across the
 * transport settings the shared schemas declare (Kafka TLS and SASL; PostgreSQL TLS for a
 * service whose schema has DATABASE_URL). Every bad variable is reported at once, by name, so a
 * misconfigured deployment fails at start with one complete message.
 */
export function loadConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const parsed = schema.safeParse(env);
  const problems: ConfigurationProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        key: issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)',
        message: issue.message,
      }));
  const usesDatabase = parsed.success
    ? typeof parsed.data === 'object' && parsed.data !== null && 'DATABASE_URL' in parsed.data
    : env.DATABASE_URL !== undefined;
  problems.push(...transportProblems(env, usesDatabase));
  if (problems.length > 0) throw new ConfigurationError(service, problems);
  return parsed.data as z.infer<S>;
}

/**
 * Rules across keys, checked on the transport settings alone so that they are reported next to
 * the schema's own problems (a setting the schema refused is reported once, by the schema).
 */
function transportProblems(env: NodeJS.ProcessEnv, usesDatabase: boolean): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  const kafka = kafkaTransportEnv.safeParse(env);
  if (kafka.success) problems.push(...kafkaTransportProblems(kafka.data));
  if (usesDatabase) {
    const database = databaseEnv.safeParse(env);
    if (database.success) {
      problems.push(...resolveDatabaseTransport(database.data as DatabaseTransportEnv).problems);
    }
  }
  return problems;
}

/** A comma-separated list such as `KAFKA_BROKERS=host1:9092,host2:9092`. */
export const commaList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  )
  .pipe(z.array(z.string()).min(1, 'must list at least one value'));

export const port = z.coerce.number().int().min(1).max(65535);

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

/** Settings every service shares: where it listens, how it logs, how it reaches Kafka. */
export function baseServiceEnv(defaults: { port: number; clientId: string }) {
  return z.object({
    HOST: z.string().min(1).default('0.0.0.0').describe('Address the HTTP server listens on'),
    PORT: port
      .default(defaults.port)
      .describe('HTTP port (health and metrics on every service, the API where there is one)'),
    LOG_LEVEL: logLevel.describe('fatal, error, warn, info, debug, trace or silent'),
    KAFKA_BROKERS: commaList
      .default(['127.0.0.1:9092'])
      .describe('Bootstrap brokers, comma-separated host:port'),
    KAFKA_CLIENT_ID: z.string().min(1).default(defaults.clientId).describe('Kafka client id'),
    KAFKA_REPLICATION_FACTOR: z.coerce
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('Replication factor of the topics the service creates (3 in production)'),
    KAFKA_TOPIC_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"')
      .default('')
      .describe(
        'Put before every topic and consumer group name, so environments or test runs can share a cluster',
      ),
    SHUTDOWN_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(15_000)
      .describe('How long a graceful shutdown may take; a process still running then exits with 1'),
    ...kafkaTransportEnv.shape,
  });
}

/**
 * What a service does at start about migrations its schema still lacks: `run` applies them (the
 * local stack and the tests), `verify` refuses to start and names them, so that only the
 * migration command (the Kubernetes migration Job) changes the schema.
 */
export const DATABASE_MIGRATIONS_MODES = ['run', 'verify'] as const;
export type DatabaseMigrationsMode = (typeof DATABASE_MIGRATIONS_MODES)[number];

/** `verify` in production (NODE_ENV=production, as the images set it), `run` elsewhere. */
export function defaultMigrationsMode(
  nodeEnv: string | undefined = process.env.NODE_ENV,
): DatabaseMigrationsMode {
  return nodeEnv === 'production' ? 'verify' : 'run';
}

/** The database every service that owns tables reaches through `DATABASE_URL`. */
export const databaseEnv = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .default('postgres://switchboard:switchboard@127.0.0.1:5433/switchboard')
    .describe('PostgreSQL; each service keeps its tables in a schema of its own name'),
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe('Connections in the pool at most'),
  DATABASE_MIGRATIONS: z
    .enum(DATABASE_MIGRATIONS_MODES, {
      error: `must be one of ${DATABASE_MIGRATIONS_MODES.join(', ')}`,
    })
    .default(() => defaultMigrationsMode())
    .describe(
      'run: apply pending migrations at start; verify: refuse to start (exit 1) while any is pending, naming them and the migration command. Default verify when NODE_ENV=production, else run',
    ),
  ...databaseTransportEnv.shape,
});
