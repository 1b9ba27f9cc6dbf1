import { LivenessService } from '@switchboard/service-kit';
import { createTestTopics, eventually, testKafka, uniqueName } from '@switchboard/testing';
import { type Consumer, type Kafka, KafkaJSNonRetriableError, type Producer } from 'kafkajs';
import { BatchConsumer } from './batch.consumer';
import { BatchingProducer } from './batching.producer';
import { consumerLag } from './consumer-lag';
import { consumerLiveness } from './consumer.supervisor';
import { KafkaLifecycle } from './kafka.module';

/**
 * A client whose consumers fail inside kafkajs's fetch loop with a non-retriable error on the
 * batches `fails` picks: kafkajs then crashes the consumer and does not restart it itself.
 */
function failingClient(
  kafka: Kafka,
  fails: (values: string[]) => boolean,
): { client: Kafka; consumers: Consumer[] } {
  const consumers: Consumer[] = [];
  const client = Object.create(kafka) as Kafka;
  client.consumer = (config) => {
    const consumer = kafka.consumer(config);
    const run = consumer.run.bind(consumer);
    consumer.run = (options) =>
      run({
        ...options,
        eachBatch: async (payload) => {
          const values = payload.batch.messages.map((m) => m.value?.toString() ?? '');
          if (fails(values)) throw new KafkaJSNonRetriableError('fetch loop failed');
          await options?.eachBatch?.(payload);
        },
      });
    consumers.push(consumer);
    return consumer;
  };
  return { client, consumers };
}

describe(BatchConsumer.name, () => {
  let kafka: Kafka;
  let producer: Producer;
  const consumers: BatchConsumer[] = [];
  const drops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    producer = kafka.producer();
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });

  afterAll(async () => {
    // Topics go last: the producer's metadata requests name every topic it has sent to.
    await producer.disconnect();
    for (const drop of drops) await drop();
  });

  async function topic(): Promise<string> {
    const name = uniqueName('batch-consumer');
    drops.push(await createTestTopics(kafka, [{ name, partitions: 1 }]));
    return name;
  }

  it('reports how far its group is behind per partition while it works through a backlog', async () => {
    // given 20 records waiting, each in a record batch of its own, and a consumer that takes one
    // at a time and holds the third until the test lets it go
    const name = await topic();
    for (let i = 0; i < 20; i++) {
      await producer.send({ topic: name, messages: [{ value: `r${i}` }] });
    }
    const groupId = uniqueName('group');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    let lagSeenAtThird = -1;
    const consumer = new BatchConsumer(kafka, {
      groupId,
      topics: [name],
      maxBytesPerPartition: 64,
      handler: async (batch) => {
        handled += batch.messages.length;
        if (handled === 3) {
          lagSeenAtThird = consumerLag(kafka).total(groupId);
          await held;
        }
      },
    });
    consumers.push(consumer);
    await consumer.start();

    // then while it is behind, the lag reported after the earlier batches counts what is left
    await eventually(() => (lagSeenAtThird >= 0 ? true : undefined), { what: 'third batch' });
    expect(lagSeenAtThird).toBe(18);
    expect(consumerLag(kafka).entries()).toEqual([
      { group: groupId, topic: name, partition: 0, lag: 18 },
    ]);

    // and once it has read everything the lag is 0; once it stops it reports nothing
    release();
    await eventually(
      () => (handled === 20 && consumerLag(kafka).total(groupId) === 0 ? true : undefined),
      {
        what: 'backlog read',
      },
    );
    await consumer.stop();
    expect(
      consumerLag(kafka)
        .entries()
        .filter((e) => e.group === groupId),
    ).toEqual([]);
  });

  it('stays in its group through a handler that runs past the session timeout, handling its batch once', async () => {
    // given a consumer with the shortest session the broker allows, whose handler takes longer
    // than that on the first record without asking for a heartbeat itself
    const name = await topic();
    const seen: string[] = [];
    const consumer = new BatchConsumer(kafka, {
      groupId: uniqueName('group'),
      topics: [name],
      sessionTimeoutMs: 6_000,
      commitIntervalMs: 100,
      handler: async (batch) => {
        for (const m of batch.messages) {
          const value = m.value!.toString();
          seen.push(value);
          if (value === 'slow') await new Promise((r) => setTimeout(r, 10_000));
        }
      },
    });
    consumers.push(consumer);
    await consumer.start();

    // when the slow record arrives, and another one once it is handled
    await producer.send({ topic: name, messages: [{ value: 'slow' }] });
    await eventually(() => (seen.includes('slow') ? true : undefined), { what: 'the slow record' });
    await new Promise((r) => setTimeout(r, 10_500));
    await producer.send({ topic: name, messages: [{ value: 'after' }] });

    // then the membership outlived the long batch: nothing was handed over twice, no restart
    await eventually(() => (seen.includes('after') ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the record after the slow one',
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(seen).toEqual(['slow', 'after']);
    expect(consumer.status).toMatchObject({ state: 'running', restarts: 0 });
    expect(consumer.isJoined).toBe(true);
  }, 90_000);

  it('starts a crashed consumer again, which consumes the records that follow', async () => {
    // given a consumer whose fetch loop fails once, non-retriably, on the record "poison"
    const name = await topic();
    let failed = false;
    const { client } = failingClient(kafka, (values) => {
      if (failed || !values.includes('poison')) return false;
      failed = true;
      return true;
    });
    const seen: string[] = [];
    const consumer = new BatchConsumer(client, {
      groupId: uniqueName('group'),
      topics: [name],
      restart: { initialBackoffMs: 100 },
      handler: async (batch) => {
        for (const m of batch.messages) seen.push(m.value!.toString());
      },
    });
    consumers.push(consumer);
    await consumer.start();

    // when the record that crashes it arrives, and another one after it
    await producer.send({ topic: name, messages: [{ value: 'poison' }] });
    await eventually(() => (failed ? true : undefined), { what: 'the crash' });
    await producer.send({ topic: name, messages: [{ value: 'next' }] });

    // then the consumer was restarted and handled both records (a broker still loading its
    // group coordinator may add a restart of its own, so the count is at least one)
    await eventually(() => (seen.includes('next') ? true : undefined), { what: 'next record' });
    expect(seen).toEqual(['poison', 'next']);
    expect(consumer.status.state).toBe('running');
    expect(consumer.status.restarts).toBeGreaterThanOrEqual(1);
    expect(consumerLiveness(client).deadReason()).toBeUndefined();
  });

  it('gives up after crashing too often in a row, and liveness then reports it dead', async () => {
    // given a service's liveness over a consumer whose fetch loop always fails on a record
    const name = await topic();
    const { client } = failingClient(kafka, (values) => values.length > 0);
    const liveness = new LivenessService();
    const lifecycle = new KafkaLifecycle(
      client,
      { clientId: 'test', brokers: [], replicationFactor: 1, topics: [] },
      new BatchingProducer(client),
      undefined,
      liveness,
    );
    await lifecycle.onModuleInit();
    const groupId = uniqueName('group');
    const consumer = new BatchConsumer(client, {
      groupId,
      topics: [name],
      restart: { initialBackoffMs: 50, maxBackoffMs: 60_000, maxRestarts: 2 },
      handler: async () => undefined,
    });
    consumers.push(consumer);
    await consumer.start();
    expect(liveness.report().live).toBe(true);

    // when a record arrives that crashes every start
    await producer.send({ topic: name, messages: [{ value: 'poison' }] });

    // then after two restarts the consumer stays down and the service is no longer live
    await eventually(() => (consumer.status.state === 'dead' ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the consumer to give up',
    });
    expect(consumer.status.restarts).toBe(2);
    const report = liveness.report();
    expect(report.live).toBe(false);
    expect(report.checks['kafka-consumers']?.error).toContain(`consumer:${groupId}`);
    await lifecycle.onApplicationShutdown();

    // and once stopped it no longer counts against liveness
    await consumer.stop();
    expect(liveness.report().live).toBe(true);
  });

  it('disconnects when it cannot start, e.g. because its topic does not exist', async () => {
    // given a consumer of a topic that is missing (topics are never created automatically)
    const { client, consumers: created } = failingClient(kafka, () => false);
    const disconnected: boolean[] = [];
    const consumer = new BatchConsumer(client, {
      groupId: uniqueName('group'),
      topics: [uniqueName('missing-topic')],
      handler: async () => undefined,
    });
    consumers.push(consumer);

    // when it is started, then the start fails
    const starting = consumer.start();
    await eventually(() => created[0]);
    created[0]!.on(created[0]!.events.DISCONNECT, () => disconnected.push(true));
    await expect(starting).rejects.toThrow();

    // and its connection to the broker was closed, and nothing is left running or restarting
    expect(disconnected).toEqual([true]);
    expect(consumer.isRunning).toBe(false);
    expect(consumer.status.state).toBe('stopped');
    expect(consumerLiveness(client).statuses()).toEqual([]);
  });
});
