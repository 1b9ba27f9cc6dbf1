import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type {
  ConsumerRunConfig,
  EachBatchPayload,
  IHeaders,
  Kafka,
  KafkaMessage,
  ProducerBatch,
} from 'kafkajs';
import { BatchConsumer, type ConsumedBatch } from './batch.consumer';
import { BatchingProducer } from './batching.producer';
import { startTestTracing, traceIdOf } from './tracing.spec-support';

/** A kafkajs producer at the port: records each produce request and whether tracing was off. */
class FakeProducer {
  readonly requests: ProducerBatch[] = [];
  readonly suppressed: boolean[] = [];
  connect = async (): Promise<void> => undefined;
  disconnect = async (): Promise<void> => undefined;
  sendBatch = async (batch: ProducerBatch): Promise<[]> => {
    this.requests.push(batch);
    this.suppressed.push(isTracingSuppressed(context.active()));
    return [];
  };
}

/** A kafkajs consumer at the port that hands the test's batch to `eachBatch` once it runs. */
class FakeConsumer extends EventEmitter {
  readonly events = {
    CRASH: 'consumer.crash',
    GROUP_JOIN: 'consumer.group_join',
    END_BATCH_PROCESS: 'consumer.end_batch_process',
  };
  resolved: string[] = [];

  constructor(private readonly messages: KafkaMessage[]) {
    super();
  }

  connect = async (): Promise<void> => undefined;
  disconnect = async (): Promise<void> => undefined;
  subscribe = async (): Promise<void> => undefined;
  seek = (): void => undefined;

  run = async (config: ConsumerRunConfig): Promise<void> => {
    const messages = this.messages;
    const payload = {
      batch: {
        topic: 'events',
        partition: 0,
        messages,
        isEmpty: () => messages.length === 0,
        firstOffset: () => messages[0]?.offset ?? null,
        lastOffset: () => messages[messages.length - 1]!.offset,
      },
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
      resolveOffset: (offset: string) => this.resolved.push(offset),
    } as unknown as EachBatchPayload;
    setImmediate(() => void config.eachBatch?.(payload));
  };
}

function record(offset: string, headers: IHeaders): KafkaMessage {
  return {
    key: null,
    value: Buffer.from(`{"offset":${offset}}`),
    timestamp: '0',
    attributes: 0,
    offset,
    headers,
  } as KafkaMessage;
}

const spanIdOf = (traceparent: unknown): string | undefined =>
  typeof traceparent === 'string' ? traceparent.split('-')[2] : undefined;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Kafka trace propagation', () => {
  let tracing: ReturnType<typeof startTestTracing>;

  beforeEach(() => {
    tracing = startTestTracing();
  });
  afterEach(() => tracing.stop());

  describe(BatchingProducer.name, () => {
    it('gives each message of a flushed batch the trace of the request that enqueued it', async () => {
      // given a producer, and two requests, each with a span of its own
      const fake = new FakeProducer();
      const producer = new BatchingProducer({ producer: () => fake } as unknown as Kafka);
      await producer.connect();
      const tracer = trace.getTracer('test');
      const first = tracer.startSpan('request first');
      const second = tracer.startSpan('request second');

      // when each request enqueues a message under its own active context, in the same tick
      const sends = [
        context.with(trace.setSpan(ROOT_CONTEXT, first), () =>
          producer.send('raw', { key: 'a', value: 'first' }),
        ),
        context.with(trace.setSpan(ROOT_CONTEXT, second), () =>
          producer.send('raw', { key: 'b', value: 'second', headers: { kept: 'yes' } }),
        ),
      ];
      await Promise.all(sends);

      // then one produce request carried both, each with its own request's traceparent
      expect(fake.requests).toHaveLength(1);
      const [a, b] = fake.requests[0]!.topicMessages![0]!.messages;
      expect(traceIdOf(a!.headers?.traceparent)).toBe(first.spanContext().traceId);
      expect(traceIdOf(b!.headers?.traceparent)).toBe(second.spanContext().traceId);
      expect(b!.headers?.kept).toBe('yes');
      // and each has a send span whose parent is its request's span
      const sendSpans = tracing.exporter.getFinishedSpans().filter((s) => s.name === 'send raw');
      expect(sendSpans.map(parentOf).sort()).toEqual(
        [first.spanContext().spanId, second.spanContext().spanId].sort(),
      );
      // and the request went out with tracing suppressed, so no instrumentation replaces them
      expect(fake.suppressed).toEqual([true]);
    });

    it('joins an explicitly given trace context rather than the active one', async () => {
      // given a producer and a context that belongs to one consumed record of a batch
      const fake = new FakeProducer();
      const producer = new BatchingProducer({ producer: () => fake } as unknown as Kafka);
      await producer.connect();
      const recordSpan = trace.getTracer('test').startSpan('process record');
      const recordContext = trace.setSpan(ROOT_CONTEXT, recordSpan);

      // when events of that record are sent from code running under another context
      const other = trace.getTracer('test').startSpan('batch');
      await context.with(trace.setSpan(ROOT_CONTEXT, other), () =>
        producer.sendAll([
          { topic: 'public', message: { key: 'e', value: 'x' }, traceContext: recordContext },
        ]),
      );

      // then the event carries the record's trace
      const [event] = fake.requests[0]!.topicMessages![0]!.messages;
      expect(traceIdOf(event!.headers?.traceparent)).toBe(recordSpan.spanContext().traceId);
    });

    it('without send spans, names the enqueuing span in each traceparent and records the send on it', async () => {
      // given a producer without send spans, and two requests, each with a span of its own
      const fake = new FakeProducer();
      const producer = new BatchingProducer({ producer: () => fake } as unknown as Kafka, {
        sendSpans: false,
      });
      await producer.connect();
      const tracer = trace.getTracer('test');
      const first = tracer.startSpan('request first');
      const second = tracer.startSpan('request second');

      // when each request enqueues a message under its own active context, in the same tick
      await Promise.all([
        context.with(trace.setSpan(ROOT_CONTEXT, first), () =>
          producer.send('raw', { key: 'a', value: 'first' }),
        ),
        context.with(trace.setSpan(ROOT_CONTEXT, second), () =>
          producer.send('raw', { key: 'b', value: 'second' }),
        ),
      ]);
      first.end();
      second.end();

      // then each message's traceparent names its request's span itself
      const [a, b] = fake.requests[0]!.topicMessages![0]!.messages;
      expect(spanIdOf(a!.headers?.traceparent)).toBe(first.spanContext().spanId);
      expect(spanIdOf(b!.headers?.traceparent)).toBe(second.spanContext().spanId);
      // and no span was made for the sends: the request spans carry them as attributes
      const finished = tracing.exporter.getFinishedSpans();
      expect(finished.map((s) => s.name).sort()).toEqual(['request first', 'request second']);
      for (const span of finished) {
        expect(span.attributes).toMatchObject({
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': 'raw',
        });
      }
      expect(fake.suppressed).toEqual([true]);
    });

    it('without send spans, marks a refused send on the enqueuing span and leaves it open', async () => {
      // given a producer without send spans whose broker refuses the request
      const fake = new FakeProducer();
      fake.sendBatch = async () => {
        throw new Error('broker went away');
      };
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const producer = new BatchingProducer({ producer: () => fake } as unknown as Kafka, {
        sendSpans: false,
      });
      await producer.connect();
      const request = trace.getTracer('test').startSpan('request');

      // when the request's message is sent and fails
      const sent = context.with(trace.setSpan(ROOT_CONTEXT, request), () =>
        producer.send('raw', { key: 'a', value: 'v' }),
      );
      await expect(sent).rejects.toThrow('broker went away');

      // then the request span, still open for the request to answer, holds the failure
      expect(tracing.exporter.getFinishedSpans()).toEqual([]);
      request.end();
      const [finished] = tracing.exporter.getFinishedSpans();
      expect(finished!.events.map((e) => [e.name, e.attributes])).toEqual([
        ['send failed', { 'error.message': 'broker went away' }],
      ]);
      jest.restoreAllMocks();
    });

    it('adds no header and takes no context when tracing is off', async () => {
      // given tracing off when the producer is made
      tracing.stop();
      const fake = new FakeProducer();
      const producer = new BatchingProducer({ producer: () => fake } as unknown as Kafka);
      await producer.connect();
      const message = { key: 'a', value: 'v', headers: { kept: 'yes' } };

      // when a message is sent
      await producer.send('raw', message);

      // then the very message given goes out, untouched
      expect(fake.requests[0]!.topicMessages![0]!.messages[0]).toBe(message);
      expect(message.headers).toEqual({ kept: 'yes' });
    });
  });

  describe(BatchConsumer.name, () => {
    const started: BatchConsumer[] = [];
    beforeEach(() => {
      jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    });
    afterEach(async () => {
      await Promise.all(started.splice(0).map((c) => c.stop()));
      jest.restoreAllMocks();
    });

    it('gives every record of a batch a process span in the trace its headers carry', async () => {
      // given a batch of three records: two from different traces, one with no trace at all
      const traceA = '0af7651916cd43dd8448eb211c80319c';
      const traceB = '4bf92f3577b34da6a3ce929d0e0e4736';
      const messages = [
        record('10', { traceparent: `00-${traceA}-b7ad6b7169203331-01` }),
        record('11', { traceparent: Buffer.from(`00-${traceB}-00f067aa0ba902b7-01`) }),
        record('12', {}),
      ];
      const fake = new FakeConsumer(messages);
      const kafka = { consumer: () => fake } as unknown as Kafka;
      let seen: ConsumedBatch | undefined;
      const contexts: (string | undefined)[] = [];
      const handled = new Promise<void>((resolve) => {
        const consumer = new BatchConsumer(kafka, {
          groupId: 'g',
          topics: ['events'],
          handler: async (batch) => {
            seen = batch;
            batch.messages.forEach((_, i) =>
              contexts.push(trace.getSpanContext(batch.traceContext(i)!)?.traceId),
            );
            resolve();
          },
        });
        started.push(consumer);
        void consumer.start();
      });

      // when the consumer hands the batch to its handler
      await handled;
      await nextTurn();

      // then each record's context holds a span of its own trace (a new one for the third)
      expect(seen?.messages).toHaveLength(3);
      expect(contexts[0]).toBe(traceA);
      expect(contexts[1]).toBe(traceB);
      expect(contexts[2]).toMatch(/^[0-9a-f]{32}$/);
      expect(contexts[2]).not.toBe(traceA);
      expect(contexts[2]).not.toBe(traceB);
      // and the process spans, parented to the producers' spans, ended with the batch
      const spans = tracing.exporter.getFinishedSpans().filter((s) => s.name === 'process events');
      expect(spans.map((s) => [s.spanContext().traceId, parentOf(s) ?? null])).toEqual([
        [traceA, 'b7ad6b7169203331'],
        [traceB, '00f067aa0ba902b7'],
        [contexts[2], null],
      ]);
      expect(fake.resolved).toEqual(['12']);
    });

    it('gives no trace context when tracing is off', async () => {
      // given tracing off when the consumer is made
      tracing.stop();
      const fake = new FakeConsumer([
        record('5', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
      ]);
      const kafka = { consumer: () => fake } as unknown as Kafka;
      const contexts = await new Promise<unknown[]>((resolve) => {
        const consumer = new BatchConsumer(kafka, {
          groupId: 'g',
          topics: ['events'],
          handler: async (batch) => resolve(batch.messages.map((_, i) => batch.traceContext(i))),
        });
        started.push(consumer);
        void consumer.start();
      });

      // then the handler is given none
      expect(contexts).toEqual([undefined]);
    });
  });
});

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
