/**
 * Canonical events per second through the normalizer's whole path — raw topic → audit log (one
 * batched insert per consumer batch) → public topics — for a realistic mix of providers and batch
 * shapes, next to two baselines measured in the same run on the same data: the mappers alone (pure
 * CPU) and a consumer that only reads the raw topic.
 *
 * It also prints the CPU time per raw webhook of the normalizer (this process, less what producing
 * the raw webhooks costs it) and of the PostgreSQL backends serving it (read from /proc when the
 * server runs on this machine).
 *
 *   ./sb bench:normalizer        (BENCH_RAW_WEBHOOKS overrides the number of raw webhooks;
 *                                 BENCH_CPU_PROFILE=<file>.cpuprofile profiles the whole path)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import {
  createRawEnvelope,
  encode,
  InboundRawTopic,
  type RawInboundEnvelope,
} from '@switchboard/contracts';
import {
  createTestDatabase,
  createTestTopics,
  provideInfrastructure,
  uniqueName,
} from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { Registry } from 'prom-client';

// The service is loaded from its build: Nest needs the decorator metadata tsc emits.
/* eslint-disable @typescript-eslint/no-require-imports */
const { AppModule } = require('../dist/app.module') as typeof import('../src/app.module');
const { NormalizerConfig } =
  require('../dist/config/normalizer.config') as typeof import('../src/config/normalizer.config');
const { normalize } = require('../dist/mapping') as typeof import('../src/mapping');
const { createService, loadConfig } =
  require('@switchboard/service-kit') as typeof import('@switchboard/service-kit');

const rawWebhooks = Number(process.env.BENCH_RAW_WEBHOOKS ?? 6_000);
const metadata = { display_phone_number: '15550783881', phone_number_id: '106540352242922' };

function metaMessages(n: number, seq: number): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata,
              contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
              messages: Array.from({ length: n }, (_, i) => ({
                from: '16505551234',
                id: `wamid.bench-${seq}-${i}`,
                timestamp: String(1749416383 + i),
                type: 'text',
                text: { body: `message ${seq}/${i} with some realistic length of text in it` },
              })),
            },
          },
        ],
      },
    ],
  };
}

function metaStatuses(n: number, seq: number): unknown {
  const statuses = ['sent', 'delivered', 'read'];
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata,
              statuses: Array.from({ length: n }, (_, i) => ({
                id: `wamid.out-${seq}-${Math.floor(i / 3)}`,
                status: statuses[i % 3],
                timestamp: String(1749416390 + i),
                recipient_id: '16505551234',
                pricing: { billable: true, pricing_model: 'PMP', category: 'utility' },
              })),
            },
          },
        ],
      },
    ],
  };
}

/** The mix: most requests carry one update; some carry status triples; a few are Meta batches. */
function rawOf(seq: number): { provider: 'meta' | 'onprem' | 'connectly'; body: unknown } {
  const r = seq % 20;
  if (r < 9) return { provider: 'meta', body: metaMessages(1, seq) };
  if (r < 15) return { provider: 'meta', body: metaStatuses(3, seq) };
  if (r < 16) return { provider: 'meta', body: metaMessages(25, seq) };
  if (r < 18) {
    return {
      provider: 'onprem',
      body: {
        contacts: [{ profile: { name: 'Kerry Fisher' }, wa_id: '16315551234' }],
        messages: [
          {
            from: '16315551234',
            id: `ABGG-${seq}`,
            timestamp: '1518694235',
            type: 'text',
            text: { body: 'hi' },
          },
        ],
      },
    };
  }
  return {
    provider: 'connectly',
    body: {
      timestamp: '1749416383',
      sender: { id: '+16045551234', channelType: 'whatsapp' },
      recipient: { id: '+15550783881', channelType: 'whatsapp' },
      topic: 'messages',
      message: { id: `cn-${seq}`, text: `hola ${seq}` },
    },
  };
}

/** CPU time this process has used, in ms (user + system). */
function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU time, in ms, the PostgreSQL backends serving one database have used so far, read from
 * /proc (the server must run on this machine; null otherwise), by backend pid.
 */
async function backendCpuMs(db: Client): Promise<Map<number, number> | null> {
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const byPid = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // Fields after the command name: state is the 3rd, utime the 14th, stime the 15th (ticks).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byPid.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      return null;
    }
  }
  return byPid;
}

/** The p-th percentile of some values (nearest rank). */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * Low load: raw webhooks sent one at a time at `rate` per second, each timed from the send until
 * its event is read from the public messages topic; beside it, in the same run and interleaved,
 * Kafka's own round trip (the same send, read back from a plain topic). The difference is the
 * normalizer's share of the end-to-end latency: consume, audit insert, publish.
 */
async function lowLoadLatency(
  kafka: Kafka,
  topics: { raw: string; events: string; echo: string },
  rate: number,
  count: number,
): Promise<{ path: number[]; echo: number[] }> {
  const sentAt = new Map<string, number>();
  const path: number[] = [];
  const echo: number[] = [];
  const observer = kafka.consumer({ groupId: uniqueName('bench-latency'), maxWaitTimeInMs: 500 });
  await observer.connect();
  await observer.subscribe({ topics: [topics.events, topics.echo], fromBeginning: false });
  await observer.run({
    eachMessage: async ({ topic, message }) => {
      const now = performance.now();
      const value = JSON.parse(message.value?.toString() ?? '{}') as {
        id?: string;
        rawid?: string;
      };
      const key = topic === topics.echo ? `echo:${value.id}` : `path:${value.rawid}`;
      const started = sentAt.get(key);
      if (started === undefined) return;
      sentAt.delete(key);
      (topic === topics.echo ? echo : path).push(now - started);
    },
  });
  const producer = kafka.producer();
  await producer.connect();
  const send = async (kind: 'path' | 'echo', seq: number): Promise<void> => {
    const envelope = createRawEnvelope({
      sourceId: `src_${seq % 24}`,
      businessId: 'biz_bench',
      provider: 'meta',
      environment: 'production',
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify(metaMessages(1, 1_000_000 + seq))),
    });
    sentAt.set(`${kind}:${envelope.id}`, performance.now());
    await producer.send({
      topic: kind === 'path' ? topics.raw : topics.echo,
      acks: -1,
      messages: [{ key: envelope.sourceId, value: encode(InboundRawTopic, envelope) }],
    });
  };
  // Until the observer reads both topics (it starts at their ends once it has joined).
  for (let seq = 0; path.length === 0 || echo.length === 0; seq += 1) {
    if (seq > 200) throw new Error('The latency observer never saw a probe');
    sentAt.clear();
    await Promise.all([send('path', seq), send('echo', seq)]);
    await new Promise((r) => setTimeout(r, 100));
  }
  path.length = 0;
  echo.length = 0;
  sentAt.clear();
  const interval = 1000 / rate;
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    const due = started + i * interval;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    // Alternate which of the two goes first, half an interval apart.
    sends.push(send(i % 2 === 0 ? 'path' : 'echo', 1_000 + i));
  }
  await Promise.all(sends);
  const deadline = performance.now() + 10_000;
  while (sentAt.size > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await producer.disconnect();
  await observer.disconnect();
  return { path, echo };
}

async function main(): Promise<void> {
  const infra = await provideInfrastructure();
  process.env.DATABASE_URL ??= infra.databaseUrl;
  const kafka = new Kafka({
    clientId: 'bench',
    brokers: infra.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const prefix = `${uniqueName('bench-normalizer')}.`;
  const rawTopic = `${prefix}${InboundRawTopic.name}`;
  const dropRaw = await createTestTopics(kafka, [{ name: rawTopic, partitions: 12 }]);

  const envelopes: RawInboundEnvelope[] = Array.from({ length: rawWebhooks }, (_, seq) => {
    const { provider, body } = rawOf(seq);
    return createRawEnvelope({
      sourceId: `src_${seq % 24}`,
      businessId: 'biz_bench',
      provider,
      environment: 'production',
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify(body)),
    });
  });

  // Baseline 1: the mappers alone.
  let mapped = 0;
  const t0 = performance.now();
  for (const envelope of envelopes) {
    const result = normalize(envelope);
    if (result.ok) mapped += result.events.length;
  }
  const mapperSeconds = (performance.now() - t0) / 1000;

  const produce = async (topic: string): Promise<void> => {
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < envelopes.length; i += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: envelopes
          .slice(i, i + 500)
          .map((e) => ({ key: e.sourceId, value: encode(InboundRawTopic, e) })),
      });
    }
    await producer.disconnect();
  };
  const baselineTopic = `${prefix}baseline-raw`;
  const dropBaseline = await createTestTopics(kafka, [{ name: baselineTopic, partitions: 12 }]);
  // What producing the raw webhooks costs this process, to tell the normalizer's share apart below.
  const produceCpu0 = processCpuMs();
  await produce(baselineTopic);
  const produceCpuMs = processCpuMs() - produceCpu0;

  // Baseline 2: a consumer that only reads the raw topic.
  const reader = kafka.consumer({ groupId: uniqueName('bench-reader') });
  await reader.connect();
  await reader.subscribe({ topics: [baselineTopic], fromBeginning: true });
  let read = 0;
  const t1 = performance.now();
  let readDone!: () => void;
  const allRead = new Promise<void>((r) => (readDone = r));
  await reader.run({
    eachBatch: async ({ batch }) => {
      read += batch.messages.length;
      if (read >= rawWebhooks) readDone();
    },
  });
  await allRead;
  const readSeconds = (performance.now() - t1) / 1000;
  await reader.disconnect();

  // The whole path.
  const database = await createTestDatabase('bench_normalizer');
  const config = loadConfig('normalizer', NormalizerConfig, {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    DATABASE_URL: database.url,
    CONSUMER_GROUP_ID: uniqueName('bench-normalizer'),
    LOG_LEVEL: 'error',
  });
  const app = await createService(AppModule.forRoot(config), {});
  const registry = app.get(Registry);
  await app.init();
  const db = new Client({ connectionString: database.url });
  await db.connect();
  // BENCH_CPU_PROFILE=<file.cpuprofile> profiles this process over the whole path only.
  const profilePath = process.env.BENCH_CPU_PROFILE;
  const profiler = profilePath ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    await profiler.post('Profiler.start');
  }
  // The normalizer is up and idle; the webhooks arrive while it runs, as they would from ingress.
  const backends0 = await backendCpuMs(db);
  const pathCpu0 = processCpuMs();
  const t2 = performance.now();
  await produce(rawTopic);
  const counter = async (name: string): Promise<number> =>
    ((await registry.getSingleMetric(name)?.get())?.values ?? []).reduce((s, v) => s + v.value, 0);
  while ((await counter('switchboard_normalizer_raw_webhooks_total')) < rawWebhooks) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const pathSeconds = (performance.now() - t2) / 1000;
  const pathCpuMs = processCpuMs() - pathCpu0;
  const backends1 = await backendCpuMs(db);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(profilePath!, JSON.stringify(profile));
    profiler.disconnect();
  }
  await db.end();
  const postgresCpuMs =
    backends0 && backends1
      ? [...backends1].reduce((sum, [pid, ms]) => sum + ms - (backends0.get(pid) ?? 0), 0)
      : null;
  const published = await counter('switchboard_normalizer_events_published_total');
  const batchMetric = ((await registry.getSingleMetric('switchboard_normalizer_batch_size')?.get())
    ?.values ?? []) as { metricName?: string; value: number }[];
  const batchSum = batchMetric.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
  const batchCount = batchMetric.find((v) => v.metricName?.endsWith('_count'))?.value ?? 1;
  // Low load on the same normalizer, now idle again: one webhook every 1/rate s.
  const latencyRate = Number(process.env.BENCH_LATENCY_RATE ?? 50);
  const echoTopic = `${prefix}latency-echo`;
  const dropEcho = await createTestTopics(kafka, [{ name: echoTopic, partitions: 12 }]);
  const latency = await lowLoadLatency(
    kafka,
    { raw: rawTopic, events: `${prefix}switchboard.messages.v1`, echo: echoTopic },
    latencyRate,
    Number(process.env.BENCH_LATENCY_WEBHOOKS ?? 2 * latencyRate * 5),
  );
  await dropEcho();
  await app.close();
  await database.drop();
  const admin = kafka.admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter(
    (t) => t.startsWith(prefix) && t !== rawTopic && t !== baselineTopic,
  );
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
  await dropRaw();
  await dropBaseline();
  await infra.stop();

  console.log(
    `\nNormalizer benchmark — ${rawWebhooks} raw webhooks (${mapped} canonical events; mix: 45% one Meta message, ` +
      '30% Meta status triples, 5% Meta batches of 25, 10% On-Premises, 10% Connectly), raw topic with 12 partitions\n',
  );
  console.log('| path | seconds | raw webhooks/s | canonical events/s |');
  console.log('|---|---:|---:|---:|');
  console.log(
    `| mappers only (CPU, no I/O) | ${mapperSeconds.toFixed(2)} | ${(rawWebhooks / mapperSeconds).toFixed(0)} | ${(mapped / mapperSeconds).toFixed(0)} |`,
  );
  console.log(
    `| read raw topic only (kafkajs consumer) | ${readSeconds.toFixed(2)} | ${(rawWebhooks / readSeconds).toFixed(0)} | — |`,
  );
  console.log(
    `| whole path: raw topic → audit log → public topics | ${pathSeconds.toFixed(2)} | ${(rawWebhooks / pathSeconds).toFixed(0)} | ${(published / pathSeconds).toFixed(0)} |`,
  );
  console.log(
    `\nevents published: ${published} of ${mapped}; mean consumer batch: ${(batchSum / batchCount).toFixed(1)} raw webhooks over ${batchCount} batches`,
  );
  console.log(
    `whole path / read-only throughput: ${(rawWebhooks / pathSeconds / (rawWebhooks / readSeconds)).toFixed(2)}x`,
  );
  console.log(
    `whole path / mappers-only canonical events/s: ${(published / pathSeconds / (mapped / mapperSeconds)).toFixed(2)}x`,
  );
  const ms = (values: readonly number[], p: number): string => percentile(values, p).toFixed(2);
  console.log(
    `\nlow load, ${latencyRate} raw webhooks/s one at a time (send → read back, ms): ` +
      `whole path p50 ${ms(latency.path, 50)} p99 ${ms(latency.path, 99)} (${latency.path.length} webhooks); ` +
      `Kafka alone (send → read back from a topic) p50 ${ms(latency.echo, 50)} p99 ${ms(latency.echo, 99)} ` +
      `(${latency.echo.length}); the normalizer's share at p50: ` +
      `${(percentile(latency.path, 50) - percentile(latency.echo, 50)).toFixed(2)} ms`,
  );
  const perWebhook = (ms: number): string => (ms / rawWebhooks).toFixed(3);
  console.log(
    `CPU per raw webhook: normalizer ${perWebhook(pathCpuMs - produceCpuMs)} ms (this process ` +
      `${perWebhook(pathCpuMs)} ms less the bench producer's ${perWebhook(produceCpuMs)} ms), ` +
      `PostgreSQL backends ${postgresCpuMs === null ? 'n/a (server not on this machine)' : `${perWebhook(postgresCpuMs)} ms`}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
