/**
 * Shared producer vs. plain kafkajs, against a real broker, in one run.
 * Many concurrent single-message sends; prints messages/s and per-send p50/p99 latency. The shared
 * producer runs twice more with tracing on (an OpenTelemetry provider, async context and the W3C
 * propagator registered, each send under a request span of its own, spans dropped after ending):
 * every message then gets a `send` span and a `traceparent` header of its own request.
 *
 *   ./sb bench:kafka            (BENCH_MESSAGES, BENCH_CONCURRENCY, BENCH_VALUE_BYTES override)
 */
import { performance } from 'node:perf_hooks';
import { createTestTopics, provideInfrastructure, uniqueName } from '@switchboard/testing';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Kafka, logLevel } from 'kafkajs';
import { BatchingProducer } from '../src/batching.producer';

const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 500);
const valueBytes = Number(process.env.BENCH_VALUE_BYTES ?? 1_024);

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  seconds: number;
}

/** Keeps `concurrency` sends outstanding until `messages` have been acknowledged. */
async function drive(name: string, send: (i: number) => Promise<unknown>): Promise<Result> {
  const latencies = new Float64Array(messages);
  let next = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < messages) {
      const i = next++;
      const t0 = performance.now();
      await send(i);
      latencies[i] = performance.now() - t0;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { name, perSecond: messages / seconds, p50: at(0.5), p99: at(0.99), seconds };
}

async function main(): Promise<void> {
  const infra = await provideInfrastructure();
  const kafka = new Kafka({
    clientId: 'bench',
    brokers: infra.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const topic = uniqueName('bench-producer');
  const drop = await createTestTopics(kafka, [{ name: topic, partitions: 6 }]);
  const value = Buffer.alloc(valueBytes, 'x');

  const plain = kafka.producer({ allowAutoTopicCreation: false });
  await plain.connect();
  const shared = new BatchingProducer(kafka);
  await shared.connect();

  // Warm both connections before measuring.
  await plain.send({ topic, acks: -1, messages: [{ key: 'warm', value }] });
  await shared.send(topic, { key: 'warm', value });

  const results: Result[] = [];
  results.push(
    await drive('plain kafkajs send() per message (acks=all)', (i) =>
      plain.send({ topic, acks: -1, messages: [{ key: `k${i}`, value }] }),
    ),
  );
  results.push(
    await drive('shared BatchingProducer (idempotent, acks=all)', (i) =>
      shared.send(topic, { key: `k${i}`, value }),
    ),
  );

  // Tracing on: set up as the SDK does, before the producer is made (it reads the setting once).
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()] }),
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const traced = new BatchingProducer(kafka);
  await traced.connect();
  await traced.send(topic, { key: 'warm', value });
  const tracer = trace.getTracer('bench');
  results.push(
    await drive('shared BatchingProducer, tracing on (span + traceparent per message)', (i) => {
      const request = tracer.startSpan('request');
      return context
        .with(trace.setSpan(ROOT_CONTEXT, request), () =>
          traced.send(topic, { key: `k${i}`, value }),
        )
        .finally(() => request.end());
    }),
  );
  await traced.disconnect();

  await plain.disconnect();
  await shared.disconnect();
  await drop();
  await infra.stop();

  const [baseline, candidate, tracedResult] = results as [Result, Result, Result];
  console.log(
    `\nKafka producer benchmark — ${messages} messages of ${valueBytes} B, ${concurrency} concurrent sends, ` +
      `6 partitions, broker ${infra.kafkaBrokers.join(',')} (${infra.kafkaMode})\n`,
  );
  console.log('| producer | messages/s | p50 ms | p99 ms | seconds |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.seconds.toFixed(2)} |`,
    );
  }
  console.log(
    `\nthroughput ratio (shared / plain): ${(candidate.perSecond / baseline.perSecond).toFixed(2)}x; ` +
      `p99 ratio (shared / plain): ${(candidate.p99 / baseline.p99).toFixed(2)}x; ` +
      `tracing on / off: ${(tracedResult.perSecond / candidate.perSecond).toFixed(2)}x throughput`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
