import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

/** A name no other test uses: topics, consumer groups, databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

function required(name: 'KAFKA_BROKERS' | 'DATABASE_URL'): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run this test through the integration tier (TEST_TIER=int jest), ` +
        'whose global setup provides real Kafka and PostgreSQL',
    );
  }
  return value;
}

/**
 * `DATA_KEYS` for the services under test: the run's key (the global setup sets one for every
 * worker and the service processes they start) or, in a unit test, one made for this process.
 */
export function testDataKeys(): string {
  process.env.DATA_KEYS ??= `test:${randomBytes(32).toString('base64')}`;
  return process.env.DATA_KEYS;
}

export function testKafkaBrokers(): string[] {
  return required('KAFKA_BROKERS').split(',');
}

export function testKafka(clientId = uniqueName('test-client')): Kafka {
  return new Kafka({
    clientId,
    brokers: testKafkaBrokers(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200 },
  });
}

/** Creates topics of its own for one test and returns a function that deletes them. */
export async function createTestTopics(
  kafka: Kafka,
  topics: readonly { name: string; partitions?: number; compacted?: boolean }[],
): Promise<() => Promise<void>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Created without waiting inside kafkajs, then polled until every partition has a leader:
    // right after creation a busy broker may still answer "unknown topic" for a moment.
    await admin.createTopics({
      waitForLeaders: false,
      topics: topics.map((t) => ({
        topic: t.name,
        numPartitions: t.partitions ?? 1,
        replicationFactor: 1,
        configEntries: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
      })),
    });
    await eventually(
      async () => {
        const metadata = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
        const ready = metadata.topics.every(
          (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
        );
        return ready ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'leaders for the test topics' },
    );
  } finally {
    await admin.disconnect();
  }
  return async () => {
    const cleanup = kafka.admin();
    await cleanup.connect();
    try {
      await cleanup.deleteTopics({ topics: topics.map((t) => t.name) });
    } finally {
      await cleanup.disconnect();
    }
  };
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server, for one test file. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const serverUrl = required('DATABASE_URL');
  const name = uniqueName(prefix).replace(/-/g, '_');
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}` +
      (lastError ? `: ${(lastError as Error).message}` : ''),
  );
}

/**
 * Waits until the broker serves a new topic end to end: created, led, written and its offsets
 * listed. A broker restarted by an earlier suite can answer metadata well before its partitions
 * take writes ("not the leader"); a suite that starts services on it then measures the broker.
 */
export async function waitForBrokerServing(kafka: Kafka, timeoutMs = 120_000): Promise<void> {
  const topic = uniqueName('broker-probe');
  // creating the topic is the first thing a settling broker may refuse: asked again until it takes
  const deleteTopic = await eventually(() => createTestTopics(kafka, [{ name: topic }]), {
    timeoutMs,
    intervalMs: 500,
    what: 'the broker to create a topic',
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const admin = kafka.admin();
  try {
    await producer.connect();
    await admin.connect();
    await eventually(
      async () => {
        await producer.send({ topic, acks: -1, messages: [{ value: 'probe' }] });
        const [partition] = await admin.fetchTopicOffsets(topic);
        return Number(partition?.high) >= 1 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, what: 'the broker to take writes on a new topic' },
    );
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await deleteTopic().catch(() => undefined);
  }
}

/** Deletes every topic a test created under its own prefix (see `KAFKA_TOPIC_PREFIX`). */
export async function deleteTopicsWithPrefix(kafka: Kafka, prefix: string): Promise<void> {
  if (prefix.length === 0) throw new Error('Refusing to delete topics without a prefix');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  } finally {
    await admin.disconnect();
  }
}
