import { Logger } from '@nestjs/common';
import {
  type AnyTopicDefinition,
  type CleanupPolicy,
  type ContractIssue,
  type DecodedValue,
  decode,
  type DecodeFailureReason,
  type TopicDefinition,
} from '@switchboard/contracts';
import type { IHeaders, Kafka } from 'kafkajs';
import type { z } from 'zod';
import { BatchConsumer, type BatchConsumerOptions, type ConsumedBatch } from './batch.consumer';
import type { ConsumerStatus } from './consumer.supervisor';
import type { TopicNames } from './topic-names';

/** A record whose value decoded and fits its topic's schema. */
export interface DecodedRecord<T> {
  /** The topic's name on the broker (with any prefix). */
  readonly topic: string;
  /** Its catalog entry (tells the topics of a consumer of several apart). */
  readonly definition: AnyTopicDefinition;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly timestamp: string;
  readonly headers: IHeaders | undefined;
  readonly value: T;
  /** The value as it was on the topic. */
  readonly bytes: Buffer | null;
  /** Its position in the batch (for the batch's per-message trace context). */
  readonly index: number;
}

/** A record that did not decode, or does not fit its topic's schema. */
export interface InvalidRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly reason: DecodeFailureReason;
  readonly message: string;
  readonly issues: readonly ContractIssue[];
  /** The value as it was on the topic. */
  readonly bytes: Buffer | null;
}

/** One fetched batch of one partition, decoded. */
export interface DecodedBatch<T> {
  readonly records: readonly DecodedRecord<T>[];
  /** Invalid records, for a topic whose catalog entry says `dead_letter`; empty otherwise. */
  readonly invalid: readonly InvalidRecord[];
  readonly batch: ConsumedBatch;
}

export interface TopicConsumerOptions<S extends z.ZodType, P extends CleanupPolicy> extends Omit<
  BatchConsumerOptions,
  'topics' | 'handler'
> {
  /** Catalog topics of one schema (e.g. every public topic). */
  readonly topics: readonly TopicDefinition<S, P>[];
  /** Handles a batch; throwing leaves its offsets uncommitted, so the batch comes again. */
  handle(batch: DecodedBatch<DecodedValue<S, P>>): Promise<void>;
}

/** Invalid records seen on one Kafka client, per topic and what was done with them. */
export class InvalidRecordCounts {
  private readonly counts = new Map<string, { topic: string; action: string; count: number }>();

  add(topic: string, action: 'skipped' | 'dead_lettered'): void {
    const key = `${topic}\u0000${action}`;
    const entry = this.counts.get(key);
    if (entry) entry.count += 1;
    else this.counts.set(key, { topic, action, count: 1 });
  }

  entries(): { topic: string; action: string; count: number }[] {
    return [...this.counts.values()];
  }
}

const countsByClient = new WeakMap<Kafka, InvalidRecordCounts>();

/** The invalid-record counts of every topic consumer on one Kafka client (for `/metrics`). */
export function invalidRecordCounts(kafka: Kafka): InvalidRecordCounts {
  let counts = countsByClient.get(kafka);
  if (!counts) {
    counts = new InvalidRecordCounts();
    countsByClient.set(kafka, counts);
  }
  return counts;
}

/**
 * The way services consume: catalog topics in, decoded and schema-checked records out, with one
 * policy for records that do not fit. Every invalid record is logged with its topic, partition
 * and offset and counted in `kafka_invalid_records_total{topic,action}`; then it is skipped, or,
 * when the topic's catalog entry says `dead_letter`, handed to the handler beside the valid ones
 * so it can be dead-lettered in the same unit of work. Offsets are committed only after the
 * handler succeeds (see {@link BatchConsumer}); a crashed consumer restarts with backoff and a
 * dead one fails liveness.
 */
export class TopicConsumer<S extends z.ZodType, P extends CleanupPolicy> {
  private readonly logger: Logger;
  private readonly byName = new Map<string, TopicDefinition<S, P>>();
  private readonly counts: InvalidRecordCounts;
  private readonly consumerOptions: BatchConsumerOptions;
  private consumer: BatchConsumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    names: TopicNames,
    options: TopicConsumerOptions<S, P>,
  ) {
    this.logger = new Logger(`TopicConsumer:${options.groupId}`);
    this.counts = invalidRecordCounts(kafka);
    for (const topic of options.topics) this.byName.set(names.name(topic), topic);
    const { topics: _topics, handle, ...rest } = options;
    this.consumerOptions = {
      ...rest,
      topics: [...this.byName.keys()],
      handler: (batch) => handle(this.decodeBatch(batch)),
    };
  }

  /** True while the consumer is a live member of its group. */
  get isJoined(): boolean {
    return this.consumer?.isJoined ?? false;
  }

  get status(): ConsumerStatus | undefined {
    return this.consumer?.status;
  }

  /** Joins the group with a new consumer (also after a start that failed). */
  async start(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = new BatchConsumer(this.kafka, this.consumerOptions);
    await this.consumer.start();
  }

  /** Finishes the batch in hand, commits it and leaves the group. */
  async stop(): Promise<void> {
    await this.consumer?.stop();
  }

  private decodeBatch(batch: ConsumedBatch): DecodedBatch<DecodedValue<S, P>> {
    const topic = this.byName.get(batch.topic) as AnyTopicDefinition | undefined;
    if (!topic) throw new Error(`Consumer was handed ${batch.topic}, which it did not subscribe`);
    const records: DecodedRecord<DecodedValue<S, P>>[] = [];
    const invalid: InvalidRecord[] = [];
    const deadLetter = topic.onInvalid === 'dead_letter';
    batch.messages.forEach((message, index) => {
      const decoded = decode(topic, message.value);
      if (decoded.ok) {
        records.push({
          topic: batch.topic,
          definition: topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key ? message.key.toString('utf8') : null,
          timestamp: message.timestamp,
          headers: message.headers,
          value: decoded.value as DecodedValue<S, P>,
          bytes: message.value,
          index,
        });
        return;
      }
      const action = deadLetter ? 'dead_lettered' : 'skipped';
      this.counts.add(topic.name, action);
      this.logger.warn(
        {
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          reason: decoded.reason,
          message: decoded.message,
          issues: decoded.issues.slice(0, 5),
        },
        `Record refused by its schema; ${deadLetter ? 'dead-lettered' : 'skipped'}`,
      );
      if (deadLetter) {
        invalid.push({
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          timestamp: message.timestamp,
          reason: decoded.reason,
          message: decoded.message,
          issues: decoded.issues,
          bytes: message.value,
        });
      }
    });
    return { records, invalid, batch };
  }
}

/** Makes topic consumers on the service's Kafka client and topic names (injected by services). */
export class TopicConsumers {
  constructor(
    private readonly kafka: Kafka,
    private readonly names: TopicNames,
  ) {}

  create<S extends z.ZodType, P extends CleanupPolicy>(
    options: TopicConsumerOptions<S, P>,
  ): TopicConsumer<S, P> {
    return new TopicConsumer(this.kafka, this.names, options);
  }
}
