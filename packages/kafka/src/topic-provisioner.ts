import { Logger } from '@nestjs/common';
import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import { retryTransient } from './retry-transient';

/** What provisioning needs to know of a topic; the catalog in `@switchboard/contracts` has it. */
export interface ProvisionedTopic {
  name: string;
  partitions: number;
  cleanupPolicy: 'delete' | 'compact';
  retentionMs: number | null;
  maxMessageBytes?: number;
}

/**
 * Creates the topics a service uses, as the catalog defines them, when they do not exist yet, and
 * waits until every partition of all of them has a leader (another instance may have created them
 * a moment ago). Existing topics are left as they are (changing partitions or retention is an
 * operator's act).
 */
export async function provisionTopics(
  kafka: Kafka,
  topics: readonly ProvisionedTopic[],
  replicationFactor: number,
): Promise<string[]> {
  const logger = new Logger('TopicProvisioner');
  const admin = kafka.admin();
  await retryTransient(() => admin.connect());
  try {
    const existing = new Set(await retryTransient(() => admin.listTopics()));
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) await createTopics(admin, missing, replicationFactor);
    await waitForLeaders(
      admin,
      topics.map((t) => t.name),
    );
    const created = missing.map((t) => t.name);
    if (created.length > 0) logger.log({ topics: created }, 'Created topics');
    return created;
  } finally {
    await admin.disconnect();
  }
}

/** Creates the topics as the catalog defines them, without waiting for their leaders. */
async function createTopics(
  admin: Admin,
  topics: readonly ProvisionedTopic[],
  replicationFactor: number,
): Promise<void> {
  const minInsync = Math.max(1, Math.min(2, replicationFactor - 1));
  const configs = topics.map((t): ITopicConfig => ({
    topic: t.name,
    numPartitions: t.partitions,
    replicationFactor,
    configEntries: [
      { name: 'cleanup.policy', value: t.cleanupPolicy },
      { name: 'retention.ms', value: String(t.retentionMs ?? -1) },
      { name: 'min.insync.replicas', value: String(minInsync) },
      ...(t.maxMessageBytes
        ? [{ name: 'max.message.bytes', value: String(t.maxMessageBytes) }]
        : []),
    ],
  }));
  // A retried create finds the topics already there and returns false: that is success too.
  await retryTransient(() => admin.createTopics({ waitForLeaders: false, topics: configs }));
}

/**
 * Waits until every partition of the topics has a leader. Right after creation, metadata can still
 * answer "unknown topic" or "no leader" for a moment, more so on a busy broker.
 */
export async function waitForLeaders(admin: Admin, topics: readonly string[]): Promise<void> {
  await retryTransient(
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = metadata.topics.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (leaderless.length > 0) {
        throw Object.assign(
          new Error(`No leader yet for ${leaderless.map((t) => t.name).join(', ')}`),
          {
            retriable: true,
          },
        );
      }
    },
    { timeoutMs: 60_000, delayMs: 100, maxDelayMs: 500 },
  );
}
