import { createTestTopics, eventually, testKafka, uniqueName } from '@switchboard/testing';
import { type Kafka, KafkaJSNonRetriableError, type Producer } from 'kafkajs';
import { CompactedTopicReader } from './compacted-topic.reader';

describe(CompactedTopicReader.name, () => {
  let kafka: Kafka;
  let producer: Producer;
  let topic: string;
  let drop: () => Promise<void>;
  const readers: CompactedTopicReader[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    topic = uniqueName('compacted');
    drop = await createTestTopics(kafka, [{ name: topic, partitions: 2, compacted: true }]);
    producer = kafka.producer();
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(readers.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await producer.disconnect();
    await drop();
  });

  async function groupsNamed(prefix: string): Promise<string[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      return groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
    } finally {
      await admin.disconnect();
    }
  }

  it('leaves no consumer group behind when it stops, however often it is started', async () => {
    // given a record to read
    await producer.send({ topic, messages: [{ key: 'k', value: 'v' }] });
    const prefix = uniqueName('reader');

    for (let run = 0; run < 2; run++) {
      // when a reader is started, reads the topic and stops
      const reader = new CompactedTopicReader(kafka, {
        topic,
        groupIdPrefix: prefix,
        onRecord: () => undefined,
      });
      readers.push(reader);
      await reader.start();
      await reader.caughtUp;
      expect(await groupsNamed(prefix)).toHaveLength(1);
      await reader.stop();

      // then its private group is gone from the broker
      expect(await groupsNamed(prefix)).toEqual([]);
    }
  });

  it('restarts after a crash where it had read, without applying older values again', async () => {
    // given a reader that has read two values of one key, whose fetch loop then fails once
    await producer.send({
      topic,
      messages: [
        { key: 'same', value: 'v1', partition: 0 },
        { key: 'same', value: 'v2', partition: 0 },
      ],
    });
    let failed = false;
    const client = Object.create(kafka) as Kafka;
    client.consumer = (config) => {
      const consumer = kafka.consumer(config);
      const run = consumer.run.bind(consumer);
      consumer.run = (options) =>
        run({
          ...options,
          eachBatch: async (payload) => {
            const values = payload.batch.messages.map((m) => m.value?.toString());
            if (!failed && values.includes('crash')) {
              failed = true;
              throw new KafkaJSNonRetriableError('fetch loop failed');
            }
            await options?.eachBatch?.(payload);
          },
        });
      return consumer;
    };
    const applied: string[] = [];
    const reader = new CompactedTopicReader(client, {
      topic,
      groupIdPrefix: uniqueName('reader'),
      restart: { initialBackoffMs: 100 },
      onRecord: (key, value) => {
        if (key === 'same') applied.push(value!.toString());
      },
    });
    readers.push(reader);
    await reader.start();
    await reader.caughtUp;
    await eventually(() => (applied.includes('v2') ? true : undefined), { what: 'v2' });

    // when the record that crashes it arrives, and one more after it
    await producer.send({ topic, messages: [{ key: 'same', value: 'crash', partition: 0 }] });
    await eventually(() => (failed ? true : undefined), { what: 'the crash' });
    await producer.send({ topic, messages: [{ key: 'same', value: 'v3', partition: 0 }] });

    // then the restarted reader continues after v2 and follows the topic again
    await eventually(() => (applied.includes('v3') ? true : undefined), { what: 'v3' });
    expect(applied).toEqual(['v1', 'v2', 'crash', 'v3']);
    expect(reader.status.state).toBe('running');
    expect(reader.status.restarts).toBeGreaterThanOrEqual(1); // a loading coordinator may add one
    await eventually(() => (reader.isFollowing ? true : undefined), { what: 'following' });
  });
});
