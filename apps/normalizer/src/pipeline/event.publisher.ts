import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DeadLetter,
  encode,
  InboundDeadLetterTopic,
  publicTopic,
} from '@switchboard/contracts';
import {
  BatchingProducer,
  type ProducerSend,
  type TraceContext,
  TopicNames,
} from '@switchboard/kafka';
import { partitionKeyOf } from '../mapping';

/** A canonical event ready to publish: validated, and serialised as `encode` would. */
export interface PublishableEvent {
  readonly event: CloudEvent;
  /** `JSON.stringify(event)`: the record value. */
  readonly json: string;
  /** The raw webhook the event came from. */
  readonly rawId?: string;
}

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

  /**
   * The events were validated against their type's schema when they were made (a narrowing of
   * CloudEvent, the public topics' schema), so their JSON is published as it is, not validated
   * and serialised a second time by `encode`; dead letters go through `encode`. With tracing on,
   * `traceOf` gives the trace of a raw id (an undecodable record's dead letter: of its id), so each
   * event carries the `traceparent` of the webhook it came from.
   */
  async publish(
    events: readonly PublishableEvent[],
    deadLetters: readonly DeadLetter[],
    traceOf?: (rawId: string) => TraceContext | undefined,
  ): Promise<void> {
    const messages: ProducerSend[] = [];
    for (const { event, json, rawId } of events) {
      messages.push({
        topic: this.topics.name(publicTopic(event.topic)),
        message: {
          key: partitionKeyOf(event),
          value: Buffer.from(json, 'utf8'),
          headers: ceHeaders(event),
        },
        traceContext: rawId === undefined ? undefined : traceOf?.(rawId),
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
        traceContext: traceOf?.(deadLetter.rawId ?? deadLetter.id),
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
