import type { Kafka } from 'kafkajs';
import { eventually, uniqueName } from './test-resources';

/** One record of a topic as `readTopicToEnd` read it. */
export interface TopicRecord {
  key: string | null;
  value: Buffer | null;
  partition: number;
  offset: string;
}

/**
 * Every record of `topic`, from the beginning to the end it had when this was called, in a
 * consumer group of its own (commit markers of transactions count: a transactional writer's last
 * record is followed by one, which takes an offset but is never handed to the consumer).
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    // On a loaded broker a young topic's leaders may still be settling: ask again until it answers.
    const offsets = await eventually(() => admin.fetchTopicOffsets(topic), {
      timeoutMs: 30_000,
      what: `the offsets of ${topic}`,
    });
    for (const p of offsets) {
      if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high) - 1n);
    }
  } finally {
    await admin.disconnect();
  }
  const records: TopicRecord[] = [];
  if (ends.size === 0) return records;
  const consumer = kafka.consumer({ groupId: uniqueName('topic-reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${topic} not read to its end in time`)),
        timeoutMs,
      );
      const reached = (partition: number, offset: string): void => {
        const end = ends.get(partition);
        if (end !== undefined && BigInt(offset) >= end) ends.delete(partition);
        if (ends.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      // The batch's last offset counts a commit marker, never handed to eachMessage.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
        reached(payload.partition, payload.lastOffset),
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          records.push({
            key: message.key?.toString() ?? null,
            value: message.value,
            partition,
            offset: message.offset,
          });
          reached(partition, message.offset);
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
