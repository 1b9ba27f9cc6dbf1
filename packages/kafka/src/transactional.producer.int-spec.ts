import { createTestTopics, eventually, testKafka, uniqueName } from '@switchboard/testing';
import type { Kafka } from 'kafkajs';
import { CompactedTopicReader } from './compacted-topic.reader';
import { ProducerFencedError, TransactionalProducer } from './transactional.producer';

describe(TransactionalProducer.name, () => {
  let kafka: Kafka;
  let topic: string;
  let dropTopics: () => Promise<void>;
  const producers: TransactionalProducer[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    topic = uniqueName('transactional');
    dropTopics = await createTestTopics(kafka, [{ name: topic, partitions: 1 }]);
  });

  afterAll(async () => {
    await Promise.all(producers.map((p) => p.stop().catch(() => undefined)));
    await dropTopics();
  });

  const producer = (id: string) => {
    const p = new TransactionalProducer(kafka, id);
    producers.push(p);
    return p;
  };

  /** Every committed record of the topic, as `key=value`, read from the start. */
  async function committed(expected: number): Promise<string[]> {
    const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
    const seen: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(`${message.key?.toString()}=${message.value?.toString()}`);
        },
      });
      await eventually(async () => (seen.length >= expected ? true : undefined), {
        timeoutMs: 20_000,
        what: `${expected} committed records`,
      });
      // anything else visible would have arrived with them
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return seen;
    } finally {
      await consumer.disconnect();
    }
  }

  it('fences an earlier producer with the same id: what the zombie sends is refused and never seen', async () => {
    // given a producer that published under a transactional id
    const id = uniqueName('outbox');
    const old = producer(id);
    await old.start();
    await old.publish(topic, [
      { key: 'a', value: 'a1' },
      { key: 'b', value: 'b1' },
    ]);

    // when a successor starts with the same id, and the old one then tries to publish
    const successor = producer(id);
    await successor.start();
    const zombie = old.publish(topic, [{ key: 'a', value: 'stale' }]);

    // then the old one is told it was fenced, and only committed records of both are visible
    await expect(zombie).rejects.toBeInstanceOf(ProducerFencedError);
    await successor.publish(topic, [{ key: 'a', value: 'a2' }]);
    expect(await committed(3)).toEqual(['a=a1', 'b=b1', 'a=a2']);
  });

  it('lets a compacted-topic reader catch up on a topic that ends with a commit marker', async () => {
    // given a topic whose last offsets are a transaction's records and its commit marker
    const own = uniqueName('reader-tx');
    const drop = await createTestTopics(kafka, [{ name: own, partitions: 1 }]);
    try {
      const writer = producer(uniqueName('writer'));
      await writer.start();
      await writer.publish(own, [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ]);

      // when a reader starts on it
      const seen = new Map<string, string>();
      const reader = new CompactedTopicReader(kafka, {
        topic: own,
        groupIdPrefix: uniqueName('reader'),
        onRecord: (key, value) => seen.set(key, value?.toString() ?? ''),
      });
      try {
        await reader.start();
        // then it reaches the end (its target is the marker, which it is never handed) with both
        await expect(
          Promise.race([
            reader.caughtUp.then(() => 'caught up'),
            new Promise((resolve) => setTimeout(() => resolve('still reading'), 15_000)),
          ]),
        ).resolves.toBe('caught up');
        expect(Object.fromEntries(seen)).toEqual({ a: '1', b: '2' });
      } finally {
        await reader.stop();
      }
    } finally {
      await drop();
    }
  });
});
