import { Logger } from '@nestjs/common';
import type { ITopicConfig, Kafka } from 'kafkajs';

/** What provisioning needs to know of a topic; the catalog in `@switchboard/contracts` has it. */
export interface ProvisionedTopic {
  name: string;
  partitions: number;
  cleanupPolicy: 'delete' | 'compact';
  retentionMs: number | null;
  maxMessageBytes?: number;
}

/**
 * Creates the topics a service uses, as the catalog defines them, when they do not exist yet.
 * Existing topics are left as they are (changing partitions or retention is an operator's act).
 */
export async function provisionTopics(
  kafka: Kafka,
  topics: readonly ProvisionedTopic[],
  replicationFactor: number,
): Promise<string[]> {
  const logger = new Logger('TopicProvisioner');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return [];
    const minInsync = Math.max(1, Math.min(2, replicationFactor - 1));
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t): ITopicConfig => ({
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
      })),
    });
    const created = missing.map((t) => t.name);
    logger.log({ topics: created }, 'Created topics');
    return created;
  } catch (err) {
    // Another instance may have created the same topics a moment earlier.
    if (err instanceof Error && /already exists/i.test(err.message)) return [];
    throw err;
  } finally {
    await admin.disconnect();
  }
}
