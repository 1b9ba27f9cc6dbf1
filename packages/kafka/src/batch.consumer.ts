import { Logger } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import { errorMessage } from '@switchboard/service-kit';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { type ConsumerLag, consumerLag } from './consumer-lag';
import {
  ConsumerSupervisor,
  type ConsumerStatus,
  defaultRestartPolicy,
  type RestartPolicy,
} from './consumer.supervisor';
import { endSpans, startProcessSpan, type TraceContext, tracingEnabled } from './tracing';

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: readonly KafkaMessage[];
  /** Keeps the group membership alive during long work. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: long handlers may stop early (without committing). */
  isRunning(): boolean;
  /**
   * The trace context of `messages[index]`'s processing (tracing on), undefined with tracing
   * off. It holds a `process <topic>` span whose parent is the trace the record's headers
   * carry; the span ends when the handler settles. Pass it on with what the record becomes:
   * `BatchingProducer.send(topic, message, context)`, or `withTraceContext(context, fn)` around
   * work such as an outbound HTTP request.
   */
  traceContext(index: number): TraceContext | undefined;
}

const noTraceContext = (): undefined => undefined;

/** How often a member tells the group it is alive, also while a handler runs. */
const HEARTBEAT_MS = 3_000;

/** How long the broker may hold a fetch that finds no records (the idle poll interval). */
export const IDLE_FETCH_WAIT_MS = 500;

export type BatchHandler = (batch: ConsumedBatch) => Promise<void>;

export interface BatchConsumerOptions {
  groupId: string;
  topics: readonly string[];
  handler: BatchHandler;
  /** Where a new group starts: the earliest retained message (default) or only new ones. */
  fromBeginning?: boolean;
  /** Pause before a failed batch is attempted again. */
  retryBackoffMs?: number;
  /** Partitions handled at the same time. */
  partitionsConsumedConcurrently?: number;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  /**
   * How often handled offsets are committed (default 1 s). Only offsets of batches whose handler
   * succeeded are ever committed; they are also committed when the consumer stops or its
   * partitions are revoked. After a crash, what was handled since the last commit comes again,
   * so handlers must be idempotent (every handler here is).
   */
  commitIntervalMs?: number;
  /** How a crashed consumer is restarted (see {@link defaultRestartPolicy}). */
  restart?: Partial<RestartPolicy>;
}

/**
 * A kafkajs consumer that hands whole batches to one handler and marks a batch's offsets for
 * commit only after the handler has succeeded; marked offsets are committed every
 * `commitIntervalMs` rather than after each batch, which keeps a broker round trip (and an
 * offsets-topic write) off every batch. A handler that throws leaves the offsets where they were:
 * the consumer seeks back to the batch's first message and the same messages come again after a
 * pause. A consumer that crashes (kafkajs gives up on an error) is started again with backoff and
 * counts as dead for `/health/live` once it gives up. `stop()` lets the batch in hand finish,
 * commits what was handled, and leaves the group.
 */
export class BatchConsumer {
  private readonly logger: Logger;
  private readonly supervisor: ConsumerSupervisor;
  private consumer: Consumer | null = null;
  private running = false;
  private joined = false;
  private readonly lag: ConsumerLag;
  private readonly tracing = tracingEnabled();

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.logger = new Logger(`BatchConsumer:${options.groupId}`);
    this.lag = consumerLag(kafka);
    this.supervisor = new ConsumerSupervisor(
      kafka,
      `consumer:${options.groupId}`,
      {
        create: () => this.createConsumer(kafka),
        run: (consumer) => this.run(consumer),
      },
      { ...defaultRestartPolicy, ...options.restart },
    );
  }

  /** True while the consumer is a live member of its group (false after a crash until it rejoins). */
  get isJoined(): boolean {
    return this.joined;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Running, restarting after a crash, or dead (gave up restarting), with its restart count. */
  get status(): ConsumerStatus {
    return this.supervisor.status;
  }

  /**
   * Joins the group and starts handing batches over; resolves once consumption has started.
   * Rejects, disconnected, when the consumer cannot start (e.g. a topic is missing).
   */
  async start(): Promise<void> {
    this.running = true;
    try {
      await this.supervisor.start();
    } catch (err) {
      this.running = false;
      throw err;
    }
  }

  /** Finishes the batch in hand, commits it, leaves the group and disconnects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.joined = false;
    await this.supervisor.stop();
    this.lag.forget(this.options.groupId);
  }

  private createConsumer(kafka: Kafka): Consumer {
    const consumer = kafka.consumer({
      groupId: this.options.groupId,
      // Heartbeats go on while a handler runs, so a short session only shortens how long a
      // killed member holds its partitions before the group moves them.
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: HEARTBEAT_MS,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      // The broker answers a fetch as soon as a record arrives; the wait only bounds an idle
      // poll, so a long one costs no latency and keeps an idle service's CPU near zero.
      maxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
      allowAutoTopicCreation: false,
      // The supervisor restarts a crashed consumer (with backoff), kafkajs does not.
      retry: { restartOnFailure: async () => false },
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.consumer === consumer) this.joined = true;
    });
    consumer.on(consumer.events.CRASH, () => {
      if (this.consumer === consumer) this.joined = false;
    });
    // A rebalance may move partitions away: only what this member reports afterwards counts.
    consumer.on(consumer.events.GROUP_JOIN, () => this.lag.forget(this.options.groupId));
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (this.consumer !== consumer) return;
      this.lag.record(
        this.options.groupId,
        payload.topic,
        payload.partition,
        Number(payload.offsetLag),
      );
    });
    this.consumer = consumer;
    return consumer;
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      // kafkajs commits only resolved offsets, and this resolves a batch only once it is handled.
      autoCommit: true,
      autoCommitInterval: this.options.commitIntervalMs ?? 1_000,
      autoCommitThreshold: null,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        if (batch.isEmpty() || isStale()) return;
        const { topic, partition } = batch;
        // A long handler keeps the membership alive: kafkajs sends a heartbeat only when due.
        const beating = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_MS);
        const spans = this.tracing ? this.processSpans(topic, partition, batch.messages) : null;
        try {
          await this.options.handler({
            topic,
            partition,
            messages: batch.messages,
            heartbeat,
            isRunning: () => isRunning() && !isStale(),
            traceContext: spans ? (index) => spans[index]?.context : noTraceContext,
          });
          if (spans) endSpans(spans.map((s) => s.span));
        } catch (err) {
          if (spans)
            endSpans(
              spans.map((s) => s.span),
              err,
            );
          const at = { err: errorMessage(err), topic, partition, firstOffset: batch.firstOffset() };
          // A handler that gives up because the consumer is stopping (or lost the partition) is
          // not a failure: the batch simply comes again to whoever owns the partition next.
          if (isRunning() && !isStale()) {
            this.logger.error(at, 'Batch handler failed; the batch will be consumed again');
          } else {
            this.logger.warn(
              at,
              'Batch handler stopped with its consumer; the batch will be consumed again',
            );
          }
          await sleep(this.options.retryBackoffMs ?? 1_000);
          const first = batch.firstOffset();
          if (first !== null && isRunning()) consumer.seek({ topic, partition, offset: first });
          return;
        } finally {
          clearInterval(beating);
        }
        // Resolving moves the fetch position past the batch and marks it for the next commit.
        resolveOffset(batch.lastOffset());
      },
    });
  }

  /** One `process` span per record, each in the trace its headers carry. */
  private processSpans(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
  ): { span: Span; context: TraceContext }[] {
    return messages.map((message) =>
      startProcessSpan(topic, partition, this.options.groupId, message),
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
