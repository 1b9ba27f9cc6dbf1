import { createTestTopics, eventually, testKafka, uniqueName } from '@switchboard/testing';
import type { Kafka } from 'kafkajs';
import { BatchConsumer, type ConsumedBatch } from './batch.consumer';
import { BatchingProducer } from './batching.producer';

describe(BatchingProducer.name, () => {
  let kafka: Kafka;
  let topic: string;
  let dropTopics: () => Promise<void>;
  let producer: BatchingProducer;
  const consumers: BatchConsumer[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    topic = uniqueName('producer-consumer');
    dropTopics = await createTestTopics(kafka, [{ name: topic, partitions: 3 }]);
    producer = new BatchingProducer(kafka);
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });

  afterAll(async () => {
    await producer.disconnect();
    await dropTopics();
  });

  it('gathers concurrent sends into few requests and the batch consumer receives every message', async () => {
    // given a consumer group reading the topic
    const received = new Map<string, string>();
    let deliveries = 0;
    const groupId = uniqueName('group');
    const consumer = new BatchConsumer(kafka, {
      groupId,
      topics: [topic],
      handler: async (batch) => {
        for (const m of batch.messages) {
          deliveries += 1;
          received.set(m.key!.toString(), m.value!.toString());
        }
      },
    });
    consumers.push(consumer);
    await consumer.start();

    // when 500 single-message sends are made at once
    const before = producer.stats.requests;
    const sends = Array.from({ length: 500 }, (_, i) =>
      producer.send(topic, { key: `k${i}`, value: JSON.stringify({ n: i }) }),
    );
    await Promise.all(sends);
    const requests = producer.stats.requests - before;

    // then they went out in a handful of produce requests, not one each
    expect(requests).toBeGreaterThanOrEqual(1);
    expect(requests).toBeLessThanOrEqual(10);

    // and every message arrives with its value, and the group commits past all of them
    await eventually(() => (received.size === 500 ? true : undefined), { what: '500 messages' });
    expect(received.get('k0')).toBe('{"n":0}');
    expect(received.get('k499')).toBe('{"n":499}');
    const committed = await eventually(
      async () => {
        const offsets = await committedOffsetsOf(topic, groupId);
        const total = Object.values(offsets).reduce((sum, o) => sum + Math.max(0, Number(o)), 0);
        return total === 500 ? offsets : undefined;
      },
      { what: 'offsets committed for 500 messages' },
    );
    expect(Object.keys(committed)).toHaveLength(3);
    // and a batch whose handler succeeded is never handed over again
    await new Promise((r) => setTimeout(r, 1_000));
    expect(deliveries).toBe(500);
  });

  it('leaves the offset uncommitted when the handler throws, and delivers the message again', async () => {
    // given a handler that fails the first time it sees a message
    const single = uniqueName('redelivery');
    const drop = await createTestTopics(kafka, [{ name: single, partitions: 1 }]);
    const groupId = uniqueName('group');
    const seen: string[] = [];
    let failures = 0;
    let offsetsWhenFailing: Record<number, string> | undefined;
    const consumer = new BatchConsumer(kafka, {
      groupId,
      topics: [single],
      retryBackoffMs: 200,
      handler: async (batch: ConsumedBatch) => {
        for (const m of batch.messages) seen.push(m.value!.toString());
        if (failures === 0) {
          failures += 1;
          offsetsWhenFailing = await committedOffsetsOf(single, groupId);
          throw new Error('handler failed');
        }
      },
    });
    consumers.push(consumer);
    await consumer.start();

    // when one message is produced
    await producer.send(single, { key: 'only', value: 'payload-1' });

    // then it is handed over twice, and only the successful pass commits its offset
    await eventually(() => (seen.length >= 2 ? true : undefined), { what: 'redelivery' });
    expect(seen).toEqual(['payload-1', 'payload-1']);
    expect(offsetsWhenFailing).toEqual({ 0: '-1' });
    await eventually(
      async () => ((await committedOffsetsOf(single, groupId))[0] === '1' ? true : undefined),
      { what: 'offset 1 committed' },
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(seen).toEqual(['payload-1', 'payload-1']);
    await consumer.stop();
    await drop();
  });

  async function committedOffsetsOf(t: string, groupId: string): Promise<Record<number, string>> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [t] });
      return Object.fromEntries((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]));
    } finally {
      await admin.disconnect();
    }
  }

  it('rejects a send that Kafka does not acknowledge instead of losing it silently', async () => {
    // given a connected producer and a topic that does not exist (topics are never auto-created)
    const missing = uniqueName('no-such-topic');

    // when a message is sent to it, then the send is rejected with a retryable produce failure
    await expect(producer.send(missing, { key: 'k', value: 'v' })).rejects.toMatchObject({
      code: 'produce_failed',
      retryable: true,
    });

    // and the producer keeps working for other sends
    await expect(producer.send(topic, { key: 'after', value: 'ok' })).resolves.toBeUndefined();
  });
});
