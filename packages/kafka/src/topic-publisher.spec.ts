import {
  ContractViolation,
  DeliveryCommandsTopic,
  InboundDeadLetterTopic,
  PublicTopics,
  examples,
} from '@switchboard/contracts';
import type { BatchingProducer, ProducerMessage } from './batching.producer';
import { TopicNames } from './topic-names';
import { TopicPublisher, toProducerMessage } from './topic-publisher';

type Sent = { topic: string; message: ProducerMessage };

function publisherWith(prefix = ''): { publisher: TopicPublisher; sent: Sent[] } {
  const sent: Sent[] = [];
  const producer = {
    send: async (topic: string, message: ProducerMessage) => void sent.push({ topic, message }),
    sendAll: async (messages: Sent[]) => void sent.push(...messages),
  } as unknown as BatchingProducer;
  return { publisher: new TopicPublisher(producer, new TopicNames(prefix)), sent };
}

describe('TopicPublisher', () => {
  const event = examples.MessageReceivedEvent;

  it('derives the prefixed topic name, the key and the CloudEvents headers from the catalog', async () => {
    const { publisher, sent } = publisherWith('t1.');
    await publisher.publish(PublicTopics.messages, event);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.topic).toBe('t1.switchboard.messages.v1');
    expect(sent[0]!.message.key).toBe(event.subject);
    expect(sent[0]!.message.headers).toMatchObject({
      'content-type': 'application/cloudevents+json; charset=utf-8',
      ce_id: event.id,
      ce_type: event.type,
      ce_source: event.source,
    });
    expect(JSON.parse(String(sent[0]!.message.value))).toMatchObject({ id: event.id });
  });

  it('refuses a value its topic schema refuses, before anything is sent', async () => {
    const { publisher, sent } = publisherWith();
    await expect(
      publisher.publish(DeliveryCommandsTopic, { type: 'retry' } as never),
    ).rejects.toBeInstanceOf(ContractViolation);
    expect(sent).toEqual([]);
  });

  it('sends a value already encoded as it is, with key and headers still derived', () => {
    const message = toProducerMessage({
      topic: PublicTopics.messages,
      value: event,
      encoded: '{"already":"encoded"}',
    });
    expect(message.value).toBe('{"already":"encoded"}');
    expect(message.key).toBe(event.subject);
    expect(message.headers).toMatchObject({ ce_id: event.id });
  });

  it('publishes records of several topics together, each with its own headers', async () => {
    const { publisher, sent } = publisherWith();
    const deadLetter = examples.DeadLetter;
    await publisher.publishAll([
      { topic: PublicTopics.messages, value: event },
      { topic: InboundDeadLetterTopic, value: deadLetter },
    ]);
    expect(sent.map((s) => s.topic)).toEqual([
      'switchboard.messages.v1',
      'switchboard.inbound.dlq.v1',
    ]);
    expect(sent[1]!.message.headers).toEqual({
      'content-type': 'application/json',
      reason: deadLetter.reason.code,
    });
    expect(sent[1]!.message.key).toBe(deadLetter.rawId ?? deadLetter.id);
  });
});
