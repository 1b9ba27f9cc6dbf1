import {
  DeliveryCommandsTopic,
  examples,
  InboundRawTopic,
  type RawInboundEnvelope,
} from '@switchboard/contracts';
import { createTestTopics, eventually, testKafka, uniqueName } from '@switchboard/testing';
import type { Kafka, Producer } from 'kafkajs';
import { BatchingProducer } from './batching.producer';
import { type DecodedBatch, invalidRecordCounts, TopicConsumers } from './topic-consumer';
import { TopicNames } from './topic-names';
import { TopicPublisher } from './topic-publisher';

/** A new group's first join waits out the broker's rebalance delay, longer on a busy machine. */
const joined = { timeoutMs: 60_000, what: 'the records to reach the consumer' };

describe('typed topic IO on a real broker', () => {
  let kafka: Kafka;
  let raw: Producer;
  let batching: BatchingProducer;
  let names: TopicNames;
  const stops: (() => Promise<void>)[] = [];
  let dropTopics: () => Promise<void>;

  beforeAll(async () => {
    kafka = testKafka();
    names = new TopicNames(`${uniqueName('typed')}.`);
    dropTopics = await createTestTopics(kafka, [
      { name: names.name(DeliveryCommandsTopic), partitions: 1 },
      { name: names.name(InboundRawTopic), partitions: 1 },
    ]);
    raw = kafka.producer();
    await raw.connect();
    batching = new BatchingProducer(kafka);
    await batching.connect();
  });

  afterAll(async () => {
    for (const stop of stops) await stop();
    await batching.disconnect();
    await raw.disconnect();
    await dropTopics();
  });

  it('hands over what was published, decoded, and skips and counts a record that does not fit', async () => {
    // given a command published the typed way, then a record its schema refuses, then another
    const publisher = new TopicPublisher(batching, names);
    const first = { ...examples.RetryDeliveryCommand, id: crypto.randomUUID() };
    const second = { ...examples.RetryDeliveryCommand, id: crypto.randomUUID() };
    await publisher.publish(DeliveryCommandsTopic, first);
    await raw.send({
      topic: names.name(DeliveryCommandsTopic),
      messages: [{ key: 'x', value: '{"type":"retry"}' }],
    });
    await publisher.publish(DeliveryCommandsTopic, second);

    // when a topic consumer reads the topic
    const seen: DecodedBatch<unknown>[] = [];
    const consumer = new TopicConsumers(kafka, names).create({
      groupId: uniqueName('group'),
      topics: [DeliveryCommandsTopic],
      handle: async (batch) => void seen.push(batch),
    });
    stops.push(() => consumer.stop());
    await consumer.start();

    // then the two valid commands arrive decoded, keyed by business, and the invalid one is
    // neither handed over nor lost without trace: it is counted as skipped
    await eventually(() => {
      const ids = seen.flatMap((b) => b.records.map((r) => (r.value as { id: string }).id));
      expect(ids).toEqual([first.id, second.id]);
      return true;
    }, joined);
    expect(seen.flatMap((b) => b.records.map((r) => r.key))).toEqual([
      first.businessId,
      second.businessId,
    ]);
    expect(seen.flatMap((b) => b.invalid)).toEqual([]);
    expect(invalidRecordCounts(kafka).entries()).toContainEqual({
      topic: DeliveryCommandsTopic.name,
      action: 'skipped',
      count: 1,
    });
  });

  it('hands a record that does not fit to the handler for dead-lettering where the catalog says so', async () => {
    // given a malformed record and a valid envelope on the raw topic, whose catalog entry says
    // dead_letter
    const envelope: RawInboundEnvelope = {
      ...examples.RawInboundEnvelope,
      id: crypto.randomUUID(),
    };
    await raw.send({
      topic: names.name(InboundRawTopic),
      messages: [{ key: 's', value: '{not json' }],
    });
    await new TopicPublisher(batching, names).publish(InboundRawTopic, envelope);

    // when a topic consumer reads it
    const seen: DecodedBatch<RawInboundEnvelope>[] = [];
    const consumer = new TopicConsumers(kafka, names).create({
      groupId: uniqueName('group'),
      topics: [InboundRawTopic],
      handle: async (batch) => void seen.push(batch),
    });
    stops.push(() => consumer.stop());
    await consumer.start();

    // then the handler gets both: the envelope decoded, the malformed record with its reason,
    // position and bytes
    await eventually(() => {
      expect(seen.flatMap((b) => b.records)).toHaveLength(1);
      expect(seen.flatMap((b) => b.invalid)).toHaveLength(1);
      return true;
    }, joined);
    const [bad] = seen.flatMap((b) => b.invalid);
    expect(bad).toMatchObject({
      topic: names.name(InboundRawTopic),
      partition: 0,
      offset: '0',
      reason: 'malformed_json',
    });
    expect(bad!.bytes?.toString()).toBe('{not json');
    expect(seen.flatMap((b) => b.records)[0]!.value.id).toBe(envelope.id);
    expect(invalidRecordCounts(kafka).entries()).toContainEqual({
      topic: InboundRawTopic.name,
      action: 'dead_lettered',
      count: 1,
    });
  });
});
