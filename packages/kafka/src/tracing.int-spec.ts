import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { createTestTopics, eventually, testKafka, uniqueName } from '@switchboard/testing';
import type { Kafka } from 'kafkajs';
import { BatchConsumer } from './batch.consumer';
import { BatchingProducer } from './batching.producer';
import { startTestTracing } from './tracing.spec-support';

describe('Kafka trace propagation through a broker', () => {
  let kafka: Kafka;
  let tracing: ReturnType<typeof startTestTracing>;
  const consumers: BatchConsumer[] = [];
  const producers: BatchingProducer[] = [];
  const drops: (() => Promise<void>)[] = [];

  beforeAll(() => {
    kafka = testKafka();
  });

  beforeEach(() => {
    tracing = startTestTracing();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await Promise.all(producers.splice(0).map((p) => p.disconnect()));
    tracing.stop();
  });

  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  it('carries each request’s trace from the batched send to the processing of its record', async () => {
    // given a topic, a producer and a consumer made with tracing on
    const name = uniqueName('traced');
    drops.push(await createTestTopics(kafka, [{ name, partitions: 1 }]));
    const producer = new BatchingProducer(kafka);
    producers.push(producer);
    await producer.connect();
    const seen = new Map<string, string | undefined>();
    const consumer = new BatchConsumer(kafka, {
      groupId: uniqueName('group'),
      topics: [name],
      handler: async (batch) => {
        batch.messages.forEach((m, i) => {
          const ctx = batch.traceContext(i);
          seen.set(m.value!.toString(), ctx && trace.getSpanContext(ctx)?.traceId);
        });
      },
    });
    consumers.push(consumer);
    await consumer.start();

    // when three requests, each in a trace of its own, send at once (one produce request)
    const tracer = trace.getTracer('test');
    const requests = ['a', 'b', 'c'].map((value) => ({ value, span: tracer.startSpan(value) }));
    await Promise.all(
      requests.map(({ value, span }) =>
        context.with(trace.setSpan(ROOT_CONTEXT, span), () =>
          producer.send(name, { key: value, value }),
        ),
      ),
    );
    expect(producer.stats.requests).toBe(1);

    // then each record is processed in the trace of the request that sent it
    await eventually(() => (seen.size === 3 ? true : undefined), { what: 'three records' });
    for (const { value, span } of requests) {
      expect(seen.get(value)).toBe(span.spanContext().traceId);
    }
    // and each process span's parent is that record's own send span
    await eventually(
      () =>
        tracing.exporter.getFinishedSpans().filter((s) => s.name === `process ${name}`).length === 3
          ? true
          : undefined,
      { what: 'three process spans ended' },
    );
    const spans = tracing.exporter.getFinishedSpans();
    for (const { span } of requests) {
      const traceId = span.spanContext().traceId;
      const send = spans.find(
        (s) => s.name === `send ${name}` && s.spanContext().traceId === traceId,
      );
      const processed = spans.find(
        (s) => s.name === `process ${name}` && s.spanContext().traceId === traceId,
      );
      expect(send?.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
      expect(processed?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    }
  });

  it('without send spans, makes the request span the parent of its record’s processing', async () => {
    // given a topic, a producer without send spans and a consumer, made with tracing on
    const name = uniqueName('traced-request');
    drops.push(await createTestTopics(kafka, [{ name, partitions: 1 }]));
    const producer = new BatchingProducer(kafka, { sendSpans: false });
    producers.push(producer);
    await producer.connect();
    const consumer = new BatchConsumer(kafka, {
      groupId: uniqueName('group'),
      topics: [name],
      handler: async () => undefined,
    });
    consumers.push(consumer);
    await consumer.start();

    // when two requests, each in a trace of its own, send at once and end when acknowledged
    const tracer = trace.getTracer('test');
    const requests = ['a', 'b'].map((value) => ({ value, span: tracer.startSpan(value) }));
    await Promise.all(
      requests.map(({ value, span }) =>
        context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
          await producer.send(name, { key: value, value });
          span.end();
        }),
      ),
    );

    // then each record's process span is a child of the request span that sent it
    await eventually(
      () =>
        tracing.exporter.getFinishedSpans().filter((s) => s.name === `process ${name}`).length === 2
          ? true
          : undefined,
      { what: 'two process spans ended' },
    );
    const spans = tracing.exporter.getFinishedSpans();
    expect(spans.filter((s) => s.name.startsWith('send '))).toEqual([]);
    for (const { span } of requests) {
      const processed = spans.find(
        (s) =>
          s.name === `process ${name}` && s.spanContext().traceId === span.spanContext().traceId,
      );
      expect(processed?.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    }
  });
});
