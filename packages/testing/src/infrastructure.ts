import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { freePort } from './free-port';
import { testDataKeys } from './test-resources';
import { errorMessage } from '@switchboard/service-kit/error-message';

const run = promisify(execFile);

/** Where a test run's Kafka and PostgreSQL come from. */
export type InfrastructureMode = 'environment' | 'testcontainers' | 'local';

export interface Infrastructure {
  kafkaBrokers: string[];
  databaseUrl: string;
  kafkaMode: InfrastructureMode;
  postgresMode: InfrastructureMode;
  /** Stops what this call started (containers); the local broker and server stay up for the next run. */
  stop(): Promise<void>;
}

/** Raised when no real Kafka or PostgreSQL can be had: tests that need them fail, never skip. */
export class InfrastructureUnavailableError extends Error {
  override readonly name = 'InfrastructureUnavailableError';
}

/** The repository root: the nearest folder above this package holding `turbo.json`. */
export function repoRoot(from = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'turbo.json'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error(`No turbo.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * Hands out a real Kafka broker and a real PostgreSQL server, in this order of preference:
 * `KAFKA_BROKERS` / `DATABASE_URL` from the environment; containers through testcontainers when a
 * Docker engine answers; otherwise the project's local broker and server (`infra/`), started when
 * they are not running. `SWITCHBOARD_TEST_INFRA=local|testcontainers` forces a choice.
 * Both are checked with a real request before this resolves.
 */
export async function provideInfrastructure(): Promise<Infrastructure> {
  // The services under test seal stored secrets with DATA_KEYS: one key for the whole run, in the
  // environment every test worker and service process inherits.
  testDataKeys();
  const forced = process.env.SWITCHBOARD_TEST_INFRA;
  const stops: (() => Promise<void>)[] = [];
  const useContainers =
    forced === 'testcontainers' || (forced !== 'local' && (await dockerEngineAnswers()));

  let kafkaBrokers: string[];
  let kafkaMode: InfrastructureMode;
  if (process.env.KAFKA_BROKERS) {
    kafkaBrokers = process.env.KAFKA_BROKERS.split(',').map((b) => b.trim());
    kafkaMode = 'environment';
  } else if (useContainers) {
    const started = await startKafkaContainer();
    kafkaBrokers = [started.broker];
    stops.push(started.stop);
    kafkaMode = 'testcontainers';
  } else {
    await runInfraScript('kafka/kafka.sh', 'start');
    kafkaBrokers = [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`];
    kafkaMode = 'local';
  }

  let databaseUrl: string;
  let postgresMode: InfrastructureMode;
  if (process.env.DATABASE_URL) {
    databaseUrl = process.env.DATABASE_URL;
    postgresMode = 'environment';
  } else if (useContainers) {
    const started = await startPostgresContainer();
    databaseUrl = started.url;
    stops.push(started.stop);
    postgresMode = 'testcontainers';
  } else {
    await runInfraScript('postgres/postgres.sh', 'start');
    databaseUrl = (await runInfraScript('postgres/postgres.sh', 'url')).trim();
    postgresMode = 'local';
  }

  await assertKafkaAnswers(kafkaBrokers, kafkaMode);
  await assertPostgresAnswers(databaseUrl, postgresMode);

  return {
    kafkaBrokers,
    databaseUrl,
    kafkaMode,
    postgresMode,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

async function dockerEngineAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export async function runInfraScript(script: string, command: string): Promise<string> {
  const path = join(repoRoot(), 'infra', script);
  try {
    const { stdout } = await run('bash', [path, command], {
      cwd: repoRoot(),
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const detail = err as { stdout?: string; stderr?: string; message: string };
    throw new InfrastructureUnavailableError(
      `infra/${script} ${command} failed: ${detail.message}\n${detail.stdout ?? ''}${detail.stderr ?? ''}`,
    );
  }
}

async function assertKafkaAnswers(brokers: string[], mode: InfrastructureMode): Promise<void> {
  const kafka = new Kafka({
    clientId: 'switchboard-test-harness',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 300 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (err) {
    throw new InfrastructureUnavailableError(
      `Kafka (${mode}) at ${brokers.join(',')} does not answer: ${errorMessage(err)}`,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function assertPostgresAnswers(url: string, mode: InfrastructureMode): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new InfrastructureUnavailableError(
      `PostgreSQL (${mode}) at ${redactUrl(url)} does not answer: ${errorMessage(err)}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

async function startKafkaContainer(): Promise<{ broker: string; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  // The advertised address must be known before the broker starts, so the host port is fixed.
  const hostPort = await freePort();
  const container = await new GenericContainer('apache/kafka:4.1.2')
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_MESSAGE_MAX_BYTES: '10485760',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return { broker: `127.0.0.1:${hostPort}`, stop: async () => void (await container.stop()) };
}

async function startPostgresContainer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:17')
    .withDatabase('switchboard')
    .withUsername('switchboard')
    .withPassword('switchboard')
    .start();
  return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
}

/**
 * Stops and later restarts the broker tests run against, to test outages. Only the project's local
 * broker can be stopped this way; any other broker makes the test fail with this explanation.
 */
export const localBroker = {
  assertControllable(): void {
    if (process.env.SWITCHBOARD_KAFKA_MODE !== 'local') {
      throw new InfrastructureUnavailableError(
        `This test stops and restarts the broker, which needs the local broker (infra/kafka); ` +
          `the run uses ${process.env.SWITCHBOARD_KAFKA_MODE ?? 'an unknown'} Kafka. ` +
          'Run it with SWITCHBOARD_TEST_INFRA=local and without KAFKA_BROKERS.',
      );
    }
  },
  async stop(): Promise<void> {
    localBroker.assertControllable();
    await runInfraScript('kafka/kafka.sh', 'stop');
  },
  async start(): Promise<void> {
    localBroker.assertControllable();
    await runInfraScript('kafka/kafka.sh', 'start');
  },
};
