/**
 * What tracing costs at ingress: the built ingress (signature check, raw record to Kafka with
 * acks=all, then 200) driven by the same closed-loop generator with tracing off (no
 * OTEL_EXPORTER_OTLP_ENDPOINT: the SDK is not loaded) and on (every request traced and exported
 * over OTLP/HTTP to a sink on this machine), in alternating rounds so that drift on a shared
 * machine hits both. Prints webhooks/s and latency per round and the median of each mode.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/tracing.ts   (BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigTopic, configKey, encode, type SourceRecord } from '@switchboard/contracts';
import { deleteTopicsWithPrefix, testKafka, uniqueName } from '@switchboard/testing';
import {
  type ClosedLoopResult,
  closedLoop,
  freePort,
  metaBody,
  metaHeaders,
  sleep,
  startService,
  stopAllChildren,
  waitHttp,
} from './lib';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const secret = 'bench-tracing-app-secret';
/** The key services seal stored secrets with. */
const dataKeys = process.env.DATA_KEYS ?? `bench:${randomBytes(32).toString('base64')}`;

/** An OTLP/HTTP endpoint that reads and drops what it is sent, counting the spans' bytes. */
async function startSink(): Promise<{ url: string; bytes: () => number; close(): void }> {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bytes: () => bytes, close: () => server.close() };
}

async function measure(
  mode: 'off' | 'on',
  sinkUrl: string,
  prefix: string,
  sourceId: string,
  verifyToken: string,
): Promise<ClosedLoopResult> {
  const port = await freePort();
  const ingress = startService('ingress', port, {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    KAFKA_TOPIC_PREFIX: prefix,
    DATA_KEYS: dataKeys,
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...(mode === 'on'
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }
      : {}),
  });
  try {
    const origin = `http://127.0.0.1:${port}`;
    await waitHttp(`${origin}/health/ready`, ingress, `ingress (tracing ${mode})`);
    const handshake = `${origin}/webhooks/meta/${sourceId}?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=ready`;
    const deadline = Date.now() + 30_000;
    while ((await fetch(handshake).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error('ingress did not learn the bench source');
      await sleep(200);
    }
    const load = Array.from({ length: 2_000 }, (_, i) => {
      const body = metaBody(`wamid.bench-tracing-${i}-${randomUUID()}`);
      return { body, headers: metaHeaders(secret, body) };
    });
    const path = `/webhooks/meta/${sourceId}`;
    await closedLoop(origin, path, load, { connections, seconds: 2 });
    return await closedLoop(origin, path, load, { connections, seconds });
  } finally {
    await ingress.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const prefix = `${uniqueName('bench-tracing')}.`;
  const kafka = testKafka('bench-tracing');
  const sink = await startSink();
  const sourceId = uniqueName('src-bench');
  const verifyToken = randomUUID();
  const source: SourceRecord = {
    kind: 'source',
    provider: 'meta',
    id: sourceId,
    businessId: 'biz_bench',
    environment: 'production',
    enabled: true,
    secrets: [
      { id: randomUUID(), value: secret, createdAt: new Date().toISOString(), expiresAt: null },
    ],
    verifyToken,
    externalIds: { wabaIds: ['102290129340398'], phoneNumberIds: ['106540352242922'] },
    updatedAt: new Date().toISOString(),
    version: 1,
  };
  const results: Record<'off' | 'on', ClosedLoopResult[]> = { off: [], on: [] };
  try {
    // An ingress creates the topics; the source goes on its config topic, where each reads it.
    const port = await freePort();
    const provisioner = startService('ingress', port, {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      KAFKA_TOPIC_PREFIX: prefix,
      DATA_KEYS: dataKeys,
      LOG_LEVEL: 'warn',
    });
    await waitHttp(`http://127.0.0.1:${port}/health/ready`, provisioner, 'ingress');
    await provisioner.stop();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${prefix}${ConfigTopic.name}`,
      messages: [{ key: configKey(source), value: encode(ConfigTopic, source) }],
    });
    await producer.disconnect();
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['off', 'on'] as const) {
        const r = await measure(mode, sink.url, prefix, sourceId, verifyToken);
        results[mode].push(r);
        console.log(
          `tracing ${mode.padEnd(3)} round ${round + 1}: ${r.perSecond.toFixed(0)} webhooks/s, ` +
            `p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, ${r.errors} errors`,
        );
      }
    }
  } finally {
    sink.close();
    await stopAllChildren();
    await deleteTopicsWithPrefix(kafka, prefix);
  }
  const off = median(results.off.map((r) => r.perSecond));
  const on = median(results.on.map((r) => r.perSecond));
  console.log(
    `\ningress, ${connections} connections, ${seconds} s per round, median of ${rounds} rounds:\n` +
      `  tracing off: ${off.toFixed(0)} webhooks/s (p99 ${median(results.off.map((r) => r.latency.p99)).toFixed(2)} ms)\n` +
      `  tracing on:  ${on.toFixed(0)} webhooks/s (p99 ${median(results.on.map((r) => r.latency.p99)).toFixed(2)} ms), ` +
      `${((1 - on / off) * 100).toFixed(1)} % fewer; ${(sink.bytes() / 1024 / 1024).toFixed(1)} MiB of spans exported`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
