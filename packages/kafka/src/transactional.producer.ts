import { type CleanupPolicy, encode, type TopicDefinition } from '@switchboard/contracts';
import { errorMessage } from '@switchboard/service-kit';
import type { Kafka, Producer, Transaction } from 'kafkajs';
import type { z } from 'zod';
import { TopicNames } from './topic-names';

/** A message to publish: key and value as they go on the topic (null value: a tombstone). */
export interface TransactionalMessage {
  key: string;
  value: Buffer | string | null;
}

/**
 * Raised when another producer with the same transactional id has started since this one: this
 * one is a zombie, and nothing it sends becomes visible to read-committed consumers.
 */
export class ProducerFencedError extends Error {
  constructor(transactionalId: string, cause: unknown) {
    super(
      `Producer "${transactionalId}" was fenced by a newer one with the same transactional id` +
        ` (${errorMessage(cause)})`,
    );
    this.name = 'ProducerFencedError';
  }
}

const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

function isFenced(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && FENCED_TYPES.has(type)) return true;
    if (/fenced|producer epoch/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Publishes batches as Kafka transactions under one transactional id, for a single writer that
 * must not be doubled: when a new instance starts with the same id, the broker fences the old one
 * (its open transaction is aborted and everything it sends afterwards is refused), so a writer
 * that lost its leadership cannot publish stale records after its successor. Consumers see the
 * records only once committed (kafkajs consumers read committed by default).
 */
export class TransactionalProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    readonly transactionalId: string,
    private readonly names: TopicNames = new TopicNames(),
  ) {
    this.producer = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  /**
   * Connects and claims the transactional id at once, fencing any earlier producer holding it
   * (an empty transaction is begun and aborted).
   */
  async start(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
    await this.run(async (transaction) => transaction.abort());
  }

  /** Publishes every message to the topic in one transaction; all become visible, or none. */
  async publish(topic: string, messages: readonly TransactionalMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.run(async (transaction) => {
      await transaction.send({ topic, messages: [...messages], acks: -1 });
      await transaction.commit();
    });
  }

  /**
   * Publishes records of a catalog topic in one transaction: each value encoded by the topic's
   * schema (a value it refuses throws `ContractViolation` before anything is sent), null as a
   * tombstone.
   */
  async publishRecords<S extends z.ZodType>(
    topic: TopicDefinition<S, CleanupPolicy>,
    records: readonly { key: string; value: z.input<S> | null }[],
  ): Promise<void> {
    const messages = records.map((record) => ({
      key: record.key,
      value: record.value === null ? null : encode(topic, record.value),
    }));
    await this.publish(this.names.name(topic), messages);
  }

  async stop(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  private async run(body: (transaction: Transaction) => Promise<void>): Promise<void> {
    let transaction: Transaction | undefined;
    try {
      transaction = await this.producer.transaction();
      await body(transaction);
    } catch (err) {
      if (transaction?.isActive()) await transaction.abort().catch(() => undefined);
      if (isFenced(err)) throw new ProducerFencedError(this.transactionalId, err);
      throw err;
    }
  }
}

/** Makes transactional producers on the service's Kafka client (see {@link TransactionalProducer}). */
export class TransactionalProducers {
  constructor(
    private readonly kafka: Kafka,
    private readonly names: TopicNames = new TopicNames(),
  ) {}

  create(transactionalId: string): TransactionalProducer {
    return new TransactionalProducer(this.kafka, transactionalId, this.names);
  }
}
