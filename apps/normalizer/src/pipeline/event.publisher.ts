import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DeadLetter,
  InboundDeadLetterTopic,
  publicTopic,
} from '@switchboard/contracts';
import { type TopicRecord, type TraceContext, TopicPublisher } from '@switchboard/kafka';

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
  constructor(private readonly publisher: TopicPublisher) {}

  /**
   * The events were validated against their type's schema when they were made (a narrowing of
   * CloudEvent, the public topics' schema), so their JSON is published as it is, not validated
   * and serialised a second time; key and headers come from the catalog all the same. Dead
   * letters are validated and encoded by their topic's schema. With tracing on,
   * `traceOf` gives the trace of a raw id (an undecodable record's dead letter: of its id), so each
   * event carries the `traceparent` of the webhook it came from.
   */
  async publish(
    events: readonly PublishableEvent[],
    deadLetters: readonly DeadLetter[],
    traceOf?: (rawId: string) => TraceContext | undefined,
  ): Promise<void> {
    const records: TopicRecord[] = [];
    for (const { event, json, rawId } of events) {
      records.push({
        topic: publicTopic(event.topic),
        value: event,
        encoded: Buffer.from(json, 'utf8'),
        traceContext: rawId === undefined ? undefined : traceOf?.(rawId),
      });
    }
    for (const deadLetter of deadLetters) {
      records.push({
        topic: InboundDeadLetterTopic,
        value: deadLetter,
        traceContext: traceOf?.(deadLetter.rawId ?? deadLetter.id),
      });
    }
    await this.publisher.publishAll(records);
  }
}
