import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DeadLetter,
  encode,
  InboundDeadLetterTopic,
  publicTopic,
} from '@switchboard/contracts';
import { BatchingProducer, type ProducerMessage, TopicNames } from '@switchboard/kafka';
import { partitionKeyOf } from '../mapping';

/**
 * Publishes canonical events to `switchboard.<topic>.v1` (structured CloudEvents, with `ce_*`
 * headers so any Kafka consumer can route without parsing) and dead letters to the DLQ, and
 * resolves only once Kafka acknowledged every one of them.
 */
@Injectable()
export class EventPublisher {
  constructor(
    private readonly producer: BatchingProducer,
    private readonly topics: TopicNames,
  ) {}

  async publish(events: readonly CloudEvent[], deadLetters: readonly DeadLetter[]): Promise<void> {
    const messages: { topic: string; message: ProducerMessage }[] = [];
    for (const event of events) {
      const topic = publicTopic(event.topic);
      messages.push({
        topic: this.topics.name(topic),
        message: {
          key: partitionKeyOf(event),
          value: encode(topic, event),
          headers: ceHeaders(event),
        },
      });
    }
    for (const deadLetter of deadLetters) {
      messages.push({
        topic: this.topics.name(InboundDeadLetterTopic),
        message: {
          key: deadLetter.rawId ?? deadLetter.id,
          value: encode(InboundDeadLetterTopic, deadLetter),
          headers: { 'content-type': 'application/json', reason: deadLetter.reason.code },
        },
      });
    }
    await this.producer.sendAll(messages);
  }
}

/** CloudEvents Kafka binding attributes as headers, beside the structured JSON value. */
export function ceHeaders(event: CloudEvent): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/cloudevents+json; charset=utf-8',
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_time: event.time,
  };
  if (event.subject) headers.ce_subject = event.subject;
  return headers;
}
