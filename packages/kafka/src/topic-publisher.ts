import { Injectable } from '@nestjs/common';
import {
  type AnyTopicDefinition,
  type CleanupPolicy,
  ContractViolation,
  encode,
  type TopicDefinition,
} from '@switchboard/contracts';
import type { z } from 'zod';
import { BatchingProducer, type ProducerMessage } from './batching.producer';
import { TopicNames } from './topic-names';
import type { TraceContext } from './tracing';

/** One record to publish: a catalog topic and a value of its schema. */
export interface TopicRecord<S extends z.ZodType = z.ZodType> {
  readonly topic: TopicDefinition<S, CleanupPolicy>;
  readonly value: z.input<S>;
  /** The record key, for a topic that does not derive one from its values. */
  readonly key?: string;
  /**
   * The value already serialised by a producer that validated it against the topic's schema on
   * the way (the raw envelope, canonical events): spares a second validation on a hot path. Key
   * and headers are still derived from `value`.
   */
  readonly encoded?: Buffer | string;
  /** The trace the record joins, when not the one active now (see `BatchingProducer.send`). */
  readonly traceContext?: TraceContext;
}

export type PublishOptions = Pick<TopicRecord, 'key' | 'encoded' | 'traceContext'>;

/**
 * The way services produce: a catalog topic and its typed value in, the record out with the
 * topic's (prefixed) name, the key the catalog derives (`keyOf`), the headers it derives
 * (`headersOf`) and the value encoded by its schema (`encode`, which refuses a value that does not
 * fit with a {@link ContractViolation}). Records go through the shared batching producer, so
 * they resolve once stored on every in-sync replica.
 */
@Injectable()
export class TopicPublisher {
  constructor(
    private readonly producer: BatchingProducer,
    private readonly names: TopicNames,
  ) {}

  /** Publishes one record; resolves once Kafka has it. */
  async publish<S extends z.ZodType>(
    topic: TopicDefinition<S, CleanupPolicy>,
    value: z.input<S>,
    options: PublishOptions = {},
  ): Promise<void> {
    const record = { topic, value, ...options } as TopicRecord;
    await this.producer.send(
      this.names.name(topic),
      toProducerMessage(record),
      options.traceContext,
    );
  }

  /** Publishes records of any topics together; resolves once Kafka has every one. */
  async publishAll(records: readonly TopicRecord[]): Promise<void> {
    await this.producer.sendAll(
      records.map((record) => ({
        topic: this.names.name(record.topic),
        message: toProducerMessage(record),
        traceContext: record.traceContext,
      })),
    );
  }
}

/**
 * The Kafka message of a record: key, headers and value as the catalog says.
 * @throws ContractViolation when the value does not fit the schema or no key can be had.
 */
export function toProducerMessage(record: TopicRecord): ProducerMessage {
  const topic = record.topic as AnyTopicDefinition;
  const value = record.encoded ?? encode(topic, record.value);
  const key = record.key ?? topic.keyOf?.(record.value);
  if (key === undefined) {
    throw new ContractViolation(topic.name, [
      { path: [], message: 'The topic derives no key from its values; pass one', code: 'custom' },
    ]);
  }
  const headers = topic.headersOf?.(record.value);
  return headers ? { key, value, headers } : { key, value };
}
