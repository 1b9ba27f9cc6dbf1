import { Logger } from '@nestjs/common';
import { context, type Span } from '@opentelemetry/api';
import { errorMessage } from '@switchboard/service-kit';
import type { IHeaders, Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import {
  endSpans,
  recordSendFailure,
  recordSendOnParent,
  startSendSpan,
  type TraceContext,
  tracingEnabled,
  withoutInstrumentation,
} from './tracing';

export interface ProducerMessage {
  key: string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
}

export interface BatchingProducerOptions {
  /**
   * How long the first message of a batch waits for company. 0 (the default) sends as soon as the
   * previous request has been acknowledged: sends that arrive while a request is in flight ride
   * together in the next one, so latency stays at one round trip and throughput grows with load.
   */
  lingerMs?: number;
  /** Most messages in one produce request. */
  maxBatchMessages?: number;
  /** Most payload bytes (keys and values) in one produce request. */
  maxBatchBytes?: number;
  /** Most messages waiting to be sent before `send` refuses new ones with `ProducerOverloadedError`. */
  maxQueuedMessages?: number;
  /** How long the broker may take to replicate a request to all in-sync replicas. */
  ackTimeoutMs?: number;
  /**
   * With tracing on: whether each message gets a `send <topic>` span of its own (the default).
   * `false` records the send on the span the message was enqueued under instead (its messaging
   * attributes, and a `send failed` event if the broker refuses it), and the message's
   * `traceparent` names that span: for a service whose request span does nothing but this send.
   */
  sendSpans?: boolean;
}

/** Raised when the producer's queue is full: the caller should shed load (e.g. answer 503). */
export class ProducerOverloadedError extends Error {
  readonly code = 'producer_overloaded';
  readonly retryable = true;
}

/** Raised for every send of a batch the broker did not acknowledge. */
export class ProduceFailedError extends Error {
  readonly code = 'produce_failed';
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

interface Pending {
  topic: string;
  message: ProducerMessage;
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
  /** The trace the message belongs to (tracing on only): taken when it was enqueued. */
  trace?: TraceContext;
}

/** A message to send, and optionally the trace it belongs to (see {@link BatchingProducer.send}). */
export interface ProducerSend {
  topic: string;
  message: ProducerMessage;
  traceContext?: TraceContext;
}

/**
 * An idempotent kafkajs producer (acks from all in-sync replicas) that gathers many concurrent
 * `send` calls into few batched produce requests. kafkajs has no linger of its own: each `send`
 * would otherwise be a round trip. One request is in flight at a time, which keeps the idempotent
 * producer's per-partition sequence numbers in order; everything queued meanwhile goes next.
 *
 * `send` resolves only once the broker has acknowledged the message durably.
 *
 * With tracing on (an OpenTelemetry propagator registered before the producer is made), each
 * message carries the W3C `traceparent` of the request that enqueued it, not of the flush that
 * sends it: many requests' messages share one produce request, so the context is taken at `send`
 * and injected per message at flush, under a `send <topic>` span of its own (or, with
 * `sendSpans: false`, as the enqueuing span itself). With tracing off nothing of this runs.
 */
export class BatchingProducer {
  private readonly logger = new Logger(BatchingProducer.name);
  private readonly producer: Producer;
  private readonly queue: Pending[] = [];
  private readonly lingerMs: number;
  private readonly maxBatchMessages: number;
  private readonly maxBatchBytes: number;
  private readonly maxQueuedMessages: number;
  private readonly ackTimeoutMs: number;
  private inFlight: Promise<void> | null = null;
  private flushScheduled = false;
  private connected = false;
  private closing = false;
  private requests = 0;
  private acknowledged = 0;
  private readonly tracing = tracingEnabled();
  private readonly sendSpans: boolean;

  constructor(kafka: Kafka, options: BatchingProducerOptions = {}) {
    this.lingerMs = options.lingerMs ?? 0;
    this.maxBatchMessages = options.maxBatchMessages ?? 2_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 8 * 1024 * 1024;
    this.maxQueuedMessages = options.maxQueuedMessages ?? 50_000;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.sendSpans = options.sendSpans ?? true;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  /** Flushes everything queued, then disconnects. */
  async disconnect(): Promise<void> {
    this.closing = true;
    await this.flushAll();
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }

  /** Produce requests made and messages acknowledged so far (for metrics and benchmarks). */
  get stats(): { requests: number; acknowledgedMessages: number; queuedMessages: number } {
    return {
      requests: this.requests,
      acknowledgedMessages: this.acknowledged,
      queuedMessages: this.queue.length,
    };
  }

  /**
   * Resolves once the message is stored on all in-sync replicas; rejects if it is not. With
   * tracing on, the message joins `traceContext` when given (a consumer producing on behalf of
   * one of several records), otherwise the context active now.
   */
  send(topic: string, message: ProducerMessage, traceContext?: TraceContext): Promise<void> {
    if (this.closing) return Promise.reject(new ProduceFailedError('Producer is shutting down'));
    if (this.queue.length >= this.maxQueuedMessages) {
      return Promise.reject(
        new ProducerOverloadedError(`Producer queue is full (${this.maxQueuedMessages} messages)`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { topic, message, bytes: sizeOf(message), resolve, reject };
      if (this.tracing) pending.trace = traceContext ?? context.active();
      this.queue.push(pending);
      this.schedule();
    });
  }

  /** Sends several messages and resolves when all are acknowledged. */
  async sendAll(messages: readonly ProducerSend[]): Promise<void> {
    await Promise.all(messages.map((m) => this.send(m.topic, m.message, m.traceContext)));
  }

  private schedule(): void {
    if (this.inFlight || this.flushScheduled) return;
    this.flushScheduled = true;
    const run = (): void => {
      this.flushScheduled = false;
      this.startFlush();
    };
    // With no linger, sends made in the same tick still join this request.
    if (this.lingerMs > 0) setTimeout(run, this.lingerMs);
    else setImmediate(run);
  }

  private startFlush(): void {
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = this.flushOne().finally(() => {
      this.inFlight = null;
      if (this.queue.length > 0) this.startFlush();
    });
  }

  private async flushAll(): Promise<void> {
    while (this.inFlight || this.queue.length > 0) {
      if (!this.inFlight) this.startFlush();
      await this.inFlight;
    }
  }

  private takeBatch(): Pending[] {
    // One splice at the end: shifting message by message is quadratic in a long queue.
    let count = 0;
    let bytes = 0;
    while (count < this.maxBatchMessages && count < this.queue.length) {
      const next = this.queue[count]!;
      if (count > 0 && bytes + next.bytes > this.maxBatchBytes) break;
      bytes += next.bytes;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async flushOne(): Promise<void> {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    const byTopic = new Map<string, TopicMessages>();
    const spans: Span[] | undefined = this.tracing ? [] : undefined;
    for (const item of batch) {
      let entry = byTopic.get(item.topic);
      if (!entry) {
        entry = { topic: item.topic, messages: [] };
        byTopic.set(item.topic, entry);
      }
      entry.messages.push(spans ? this.traced(item, spans) : item.message);
    }
    try {
      if (!this.connected) throw new Error('Producer is not connected');
      this.requests += 1;
      const request = {
        topicMessages: [...byTopic.values()],
        acks: -1,
        timeout: this.ackTimeoutMs,
      };
      // Each message already carries its own trace: the instrumentation must not replace it.
      await (spans
        ? withoutInstrumentation(() => this.producer.sendBatch(request))
        : this.producer.sendBatch(request));
      if (spans && this.sendSpans) endSpans(spans);
      this.acknowledged += batch.length;
      for (const item of batch) item.resolve();
    } catch (err) {
      if (spans) {
        if (this.sendSpans) endSpans(spans, err);
        else recordSendFailure(spans, err);
      }
      const failure = new ProduceFailedError(
        `Kafka did not acknowledge ${batch.length} message(s): ${errorMessage(err)}`,
        { cause: err },
      );
      this.logger.warn({ err: failure.message, messages: batch.length }, 'Produce request failed');
      for (const item of batch) item.reject(failure);
    }
  }

  /**
   * The message with the headers of the trace it was enqueued in: of a `send` span of its own, or
   * (`sendSpans: false`) of the span it was enqueued under, on which the send is recorded.
   */
  private traced(item: Pending, spans: Span[]): Message {
    const headers: IHeaders = { ...item.message.headers };
    const parent = item.trace ?? context.active();
    if (this.sendSpans) spans.push(startSendSpan(item.topic, parent, headers));
    else {
      const span = recordSendOnParent(item.topic, parent, headers);
      if (span) spans.push(span);
    }
    return { ...item.message, headers };
  }
}

function sizeOf(message: ProducerMessage): number {
  const value = message.value;
  const valueBytes =
    value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  return valueBytes + (message.key ? Buffer.byteLength(message.key) : 0);
}
