/**
 * `npm run bench`: every benchmark of the quality bars in one process tree, each figure beside a
 * baseline measured in the same run, written to `docs/benchmarks.md` (with the sweep plotted in
 * `docs/benchmarks-sweep.svg`) and printed.
 *
 *   ingress     ingress vs. a bare Fastify server doing the same HMAC check (closed loop, keep-alive)
 *   kafka       the shared Kafka producer benchmark, run as it is
 *   normalizer  the normalizer benchmark, run as it is
 *   end to end, all four services (bench/e2e.ts), one pipeline for the parts chosen:
 *     idle        CPU of every process with nothing offered, then latency at a low rate
 *     sweep       offered rates 250 … 5,000/s: acknowledged, delivered, latency, knee, CPU per webhook
 *     isolation   at half the knee, alone vs. beside a black-holed and a failing endpoint
 *     flood       healthy businesses at a moderate rate alone vs. beside one business posting
 *                 webhooks of thousands of statuses each (`BENCH_ONLY=flood` runs it on its own)
 *     soak        minutes at 1,000/s, resident memory sampled
 *   ordered     ordered delivery beside unordered (bench/ordered.ts): a burst of 10,000
 *               conversations × 10 events on the delivery service, and the sweep with ordering on
 *
 * Settings (environment):
 *   BENCH_ONLY                  comma list of the parts above (`e2e` = idle,sweep,isolation,flood,soak);
 *                               docs/benchmarks.md is written only when every part runs
 *   BENCH_REPORT                write the report to this path (and the plot beside it) in any case
 *   BENCH_SECONDS (10), BENCH_CONNECTIONS (64)         ingress
 *   BENCH_SWEEP_RATES (250,500,1000,2000,3000,5000), BENCH_SWEEP_SECONDS (20),
 *   BENCH_SWEEP_DRAIN_SECONDS (30), BENCH_BUSINESSES (10)
 *   BENCH_IDLE_SECONDS (10), BENCH_LOW_RATE (50), BENCH_LOW_SECONDS (10), BENCH_WARMUP_SECONDS (5)
 *   BENCH_ISOLATION_SECONDS (20), BENCH_ISOLATION_RATE (half the knee), BENCH_BAD_RATE (a fifth
 *   of the isolation rate), BENCH_SETTLE_SECONDS (120)
 *   BENCH_FLOOD_SECONDS (30), BENCH_FLOOD_HEALTHY_RATE (100), BENCH_FLOOD_RATE (1 webhook/s),
 *   BENCH_FLOOD_EVENTS (5000 statuses a webhook: the normalizer's MAX_EVENTS_PER_WEBHOOK)
 *   BENCH_SOAK_SECONDS (300; 0 skips), BENCH_SOAK_RATE (1000), BENCH_SOAK_SAMPLE_SECONDS (30)
 *   BENCH_ORDERED_* (see bench/ordered.ts)
 *   BENCH_CHAOS_REPORT          the crash suite's figures to quote (.local/chaos-report.json, as
 *                               written by `CHAOS_REPORT_FILE=… npm run test:chaos`)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deleteTopicsWithPrefix, provideInfrastructure, testKafka } from '@switchboard/testing';
import { Client } from 'pg';
import { benchEndToEnd, benchFloor, type E2eFigures, type E2eSettings } from './e2e';
import { chaosRows, chaosSection, readChaosReport } from './chaos-report';
import { e2eRows, e2eSections, floorRows, floorSection } from './e2e-report';
import { benchIngress, type IngressFigures } from './ingress';
import { benchOrdered, orderedRows, orderedSection, type OrderedSettings } from './ordered';
import { createdDatabases, createdPrefixes, root, startChild, stopAllChildren } from './lib';
import { sweepSvg } from './plot';
import {
  describeMachine,
  formatMarkdown,
  previousFigures,
  render,
  type SummaryRow,
} from './report';
import { errorMessage } from '@switchboard/service-kit/error-message';

const env = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${value} is not a number ≥ 0`);
  return n;
};
const optional = (name: string): number | undefined =>
  process.env[name] ? env(name, 0) : undefined;

const seconds = env('BENCH_SECONDS', 10);
const connections = env('BENCH_CONNECTIONS', 64);
const allParts = [
  'ingress',
  'kafka',
  'normalizer',
  'idle',
  'sweep',
  'isolation',
  'flood',
  'soak',
  'floor',
  'ordered',
] as const;
const e2eParts = ['idle', 'sweep', 'isolation', 'flood', 'soak'] as const;
type Part = (typeof allParts)[number];
const only = new Set<Part>(
  (process.env.BENCH_ONLY ?? allParts.join(','))
    .split(',')
    .map((p) => p.trim())
    .flatMap((p): Part[] => {
      if (p === 'e2e') return [...e2eParts];
      if ((allParts as readonly string[]).includes(p)) return [p as Part];
      throw new Error(`BENCH_ONLY: unknown part ${p} (parts: ${allParts.join(', ')}, e2e)`);
    }),
);
const e2eSettings: E2eSettings = {
  parts: new Set(e2eParts.filter((p) => only.has(p))),
  businesses: env('BENCH_BUSINESSES', 10),
  warmupSeconds: env('BENCH_WARMUP_SECONDS', 5),
  idleSeconds: env('BENCH_IDLE_SECONDS', 10),
  lowRate: env('BENCH_LOW_RATE', 50),
  lowSeconds: env('BENCH_LOW_SECONDS', 10),
  sweepRates: (process.env.BENCH_SWEEP_RATES || '250,500,1000,2000,3000,5000')
    .split(',')
    .map((r) => Number(r.trim()))
    .filter((r) => r > 0),
  sweepSeconds: env('BENCH_SWEEP_SECONDS', 20),
  drainSeconds: env('BENCH_SWEEP_DRAIN_SECONDS', 30),
  cpuRate: 1000,
  isolationSeconds: env('BENCH_ISOLATION_SECONDS', 20),
  isolationRate: optional('BENCH_ISOLATION_RATE'),
  badRate: optional('BENCH_BAD_RATE'),
  settleSeconds: env('BENCH_SETTLE_SECONDS', 120),
  floodSeconds: env('BENCH_FLOOD_SECONDS', 30),
  floodHealthyRate: env('BENCH_FLOOD_HEALTHY_RATE', 100),
  floodRate: env('BENCH_FLOOD_RATE', 1),
  floodEvents: env('BENCH_FLOOD_EVENTS', 5_000),
  soakSeconds: env('BENCH_SOAK_SECONDS', 300),
  soakRate: env('BENCH_SOAK_RATE', 1000),
  soakSampleSeconds: env('BENCH_SOAK_SAMPLE_SECONDS', 30),
};
const orderedSettings: OrderedSettings = {
  parts: new Set(
    (process.env.BENCH_ORDERED_PARTS || 'burst,sweep')
      .split(',')
      .map((p) => p.trim())
      .filter((p): p is 'burst' | 'sweep' => p === 'burst' || p === 'sweep'),
  ),
  conversations: env('BENCH_ORDERED_CONVERSATIONS', 10_000),
  burst: env('BENCH_ORDERED_BURST', 10),
  timeoutSeconds: env('BENCH_ORDERED_TIMEOUT_SECONDS', 600),
  rates: (process.env.BENCH_ORDERED_RATES || '250,500,1000,2000')
    .split(',')
    .map((r) => Number(r.trim()))
    .filter((r) => r > 0),
  seconds: env('BENCH_ORDERED_SECONDS', 10),
  drainSeconds: env('BENCH_ORDERED_DRAIN_SECONDS', 30),
  businesses: e2eSettings.businesses,
  warmupSeconds: e2eSettings.warmupSeconds,
};
const fullRun = allParts.every((p) => only.has(p));
const chaosReportPath = process.env.BENCH_CHAOS_REPORT ?? join(root, '.local', 'chaos-report.json');
const docsReport = join(root, 'docs', 'benchmarks.md');
const reportPath = process.env.BENCH_REPORT || (fullRun ? docsReport : '');
const svgName = 'benchmarks-sweep.svg';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Deletes the topics of every prefix this run created and has not deleted yet. */
async function dropLeftoverTopics(): Promise<void> {
  for (const database of [...createdDatabases]) {
    await database.drop().then(
      () => createdDatabases.delete(database),
      (err: unknown) => log(`could not drop database ${database.name}: ${errorMessage(err)}`),
    );
  }
  if (createdPrefixes.size === 0) return;
  const kafka = testKafka('bench-cleanup');
  for (const prefix of [...createdPrefixes]) {
    await deleteTopicsWithPrefix(kafka, prefix).then(
      () => createdPrefixes.delete(prefix),
      (err: unknown) => log(`could not delete topics ${prefix}*: ${errorMessage(err)}`),
    );
  }
}

/**
 * The existing benchmarks clean up after themselves, but not when they fail or are interrupted.
 * Their topics (`<name>-<base-36 time>-<hex>.…`) and databases (same, with underscores) created
 * since they started are then deleted; names from before the start are someone else's.
 */
let existingRun: { name: string; startedAt: number } | undefined;

async function dropExistingLeftovers(): Promise<void> {
  if (!existingRun) return;
  const { name, startedAt } = existingRun;
  existingRun = undefined;
  const since = (ts: string | undefined): boolean =>
    ts !== undefined && parseInt(ts, 36) >= startedAt - 1_000;
  const kafka = testKafka('bench-cleanup');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topicName = new RegExp(`^${name}-([0-9a-z]+)-[0-9a-f]{8}\\.`);
    const topics = (await admin.listTopics()).filter((t) => since(topicName.exec(t)?.[1]));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    log(`deleted ${topics.length} topics left by ${name}`);
  } finally {
    await admin.disconnect();
  }
  const dbName = new RegExp(`^${name.replace(/-/g, '_')}_([0-9a-z]+)_[0-9a-f]{8}$`);
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
    for (const { datname } of rows.filter((r) => since(dbName.exec(r.datname)?.[1]))) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      log(`dropped database ${datname} left by ${name}`);
    }
  } finally {
    await client.end();
  }
}

let interruptedAt: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // tsx relays the terminal's signal once more; only a signal seconds later forces the exit.
    if (interruptedAt !== undefined) {
      if (Date.now() - interruptedAt > 3_000) process.exit(130);
      return;
    }
    interruptedAt = Date.now();
    log(`\n${signal}: stopping children and deleting this run's topics`);
    void stopAllChildren()
      .then(dropLeftoverTopics)
      .then(dropExistingLeftovers)
      .finally(() => process.exit(130));
  });
}

/**
 * The topics and partitions the broker holds before the run: a broker left with thousands of
 * partitions by earlier test runs spends CPU on every one (checkpoints, fetch sessions), which
 * shows in every figure, so the report says how loaded it was.
 */
async function brokerLoad(): Promise<string> {
  const admin = testKafka('bench-broker-load').admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata();
    const partitions = topics.reduce((n, t) => n + t.partitions.length, 0);
    return `${topics.length} topics, ${partitions} partitions`;
  } finally {
    await admin.disconnect();
  }
}

/** Runs an existing benchmark script as it is and returns its report (the part after its logs). */
async function runExisting(script: string, title: RegExp, name: string): Promise<string> {
  existingRun = { name, startedAt: Date.now() };
  // `npx tsx <script>`, without npx in between so that a signal reaches tsx (which relays it).
  const child = startChild(process.execPath, [require.resolve('tsx/cli'), script], {});
  const code = await child.exited;
  const output = child.output();
  if (code !== 0) {
    await dropExistingLeftovers().catch(() => undefined);
    throw new Error(`${script} exited ${code}:\n${output.slice(-3000)}`);
  }
  existingRun = undefined;
  const start = output.search(title);
  return (start >= 0 ? output.slice(start) : output).trim();
}

/** Body rows of the markdown tables in `text`, as cells. */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|[-:| ]+\|$/.test(l))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    )
    .slice(1);
}

const num = (s: string | undefined): number | undefined =>
  s === undefined || Number.isNaN(Number(s)) ? undefined : Number(s);

async function postgresVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const infra = await provideInfrastructure();
  process.env.KAFKA_BROKERS = infra.kafkaBrokers.join(',');
  process.env.DATABASE_URL = infra.databaseUrl;
  const machine = describeMachine(await postgresVersion(infra.databaseUrl));
  const broker = await brokerLoad();
  log(`broker at start: ${broker}`);
  const previous = previousFigures(docsReport);
  const rows: SummaryRow[] = [];
  const sections: { title: string; body: string }[] = [];
  let e2e: E2eFigures | undefined;

  try {
    let ingress: IngressFigures | undefined;
    if (only.has('ingress')) {
      log('ingress vs. bare Fastify');
      ingress = await benchIngress({ connections, seconds, log });
      const { ingress: i, baseline: b } = ingress;
      rows.push(
        {
          figure: 'ingress throughput (webhooks/s)',
          value: i.perSecond,
          baseline: b.perSecond,
          baselineLabel: 'bare Fastify + HMAC',
          bar: '≥ 0.6× bare Fastify + HMAC',
          met: i.perSecond >= 0.6 * b.perSecond,
        },
        {
          figure: 'ingress p50 (ms)',
          value: i.latency.p50,
          baseline: b.latency.p50,
          baselineLabel: 'bare Fastify + HMAC',
          decimals: 2,
        },
        {
          figure: 'ingress p99 (ms)',
          value: i.latency.p99,
          baseline: b.latency.p99,
          baselineLabel: 'bare Fastify + HMAC',
          bar: '< 50 ms',
          met: i.latency.p99 < 50,
          decimals: 2,
        },
      );
      sections.push({
        title: 'Ingress',
        body: [
          `Signed Meta webhooks (${ingress.bodyBytes} B, \`X-Hub-Signature-256\`) from ${connections} keep-alive ` +
            `connections in a closed loop for ${seconds} s after a 2 s warm-up; latency and throughput count 200 ` +
            'answers. The ingress writes each to its raw topic with acks=all before answering; the baseline is a ' +
            'bare Fastify server in its own process doing the same HMAC check over the raw body, without Kafka.',
          '',
          '| server | webhooks/s | p50 ms | p99 ms | max ms | 200s | errors |',
          '|---|---:|---:|---:|---:|---:|---:|',
          ...[
            ['bare Fastify + HMAC (baseline)', b],
            ['ingress (Kafka acks=all)', i],
          ].map(
            ([name, r]) =>
              `| ${name as string} | ${(r as typeof i).perSecond.toFixed(0)} | ${(r as typeof i).latency.p50.toFixed(2)} | ${(r as typeof i).latency.p99.toFixed(2)} | ${(r as typeof i).latency.max.toFixed(2)} | ${(r as typeof i).ok} | ${(r as typeof i).errors} |`,
          ),
          '',
          `ingress / baseline: throughput ${(i.perSecond / b.perSecond).toFixed(2)}x, p99 ${(i.latency.p99 / b.latency.p99).toFixed(2)}x`,
        ].join('\n'),
      });
      log(sections.at(-1)!.body);
    }

    if (only.has('kafka')) {
      log('Kafka producer (packages/kafka/bench/producer.bench.ts)');
      const report = await runExisting(
        'packages/kafka/bench/producer.bench.ts',
        /Kafka producer benchmark/,
        'bench-producer',
      );
      const [plain, shared] = tableRows(report);
      rows.push(
        {
          figure: 'shared producer (messages/s)',
          value: num(shared?.[1]),
          baseline: num(plain?.[1]),
          baselineLabel: 'plain kafkajs send per message',
        },
        {
          figure: 'shared producer p99 (ms)',
          value: num(shared?.[3]),
          baseline: num(plain?.[3]),
          baselineLabel: 'plain kafkajs send per message',
          decimals: 2,
        },
      );
      sections.push({ title: 'Kafka producer', body: report });
      log(report);
    }

    if (only.has('normalizer')) {
      log('normalizer (apps/normalizer/bench/normalizer.bench.ts)');
      const report = await runExisting(
        'apps/normalizer/bench/normalizer.bench.ts',
        /Normalizer benchmark/,
        'bench-normalizer',
      );
      const [mappers, readOnly, whole] = tableRows(report);
      rows.push(
        {
          figure: 'normalizer whole path (raw webhooks/s)',
          value: num(whole?.[2]),
          baseline: num(readOnly?.[2]),
          baselineLabel: 'read raw topic only',
        },
        {
          figure: 'normalizer whole path (canonical events/s)',
          value: num(whole?.[3]),
          baseline: num(mappers?.[3]),
          baselineLabel: 'mappers only, no I/O',
          bar: '≥ 0.5× mappers only',
          met:
            num(whole?.[3]) !== undefined && num(mappers?.[3]) !== undefined
              ? num(whole?.[3])! >= 0.5 * num(mappers?.[3])!
              : undefined,
        },
      );
      sections.push({ title: 'Normalizer', body: report });
      log(report);
    }

    if (e2eSettings.parts.size > 0) {
      log(`end to end, all four services: ${[...e2eSettings.parts].join(', ')}`);
      e2e = await benchEndToEnd(e2eSettings, log);
      rows.push(...e2eRows(e2e));
      for (const section of e2eSections(e2e, e2e.sweep && reportPath ? svgName : undefined)) {
        sections.push(section);
        log(section.body);
      }
    }
    if (only.has('floor')) {
      log('floor: the same hops without Switchboard (bench/floor.ts), same sweep');
      const floor = await benchFloor(e2eSettings, log);
      rows.push(...floorRows(floor, e2e?.sweep));
      const section = floorSection(floor, e2eSettings);
      sections.push(section);
      log(section.body);
    }
    if (only.has('ordered')) {
      log('ordered delivery beside unordered (bench/ordered.ts)');
      const ordered = await benchOrdered(orderedSettings, log);
      rows.push(...orderedRows(ordered));
      const section = orderedSection(ordered, orderedSettings);
      sections.push(section);
      log(section.body);
    }
  } finally {
    await stopAllChildren();
    await dropLeftoverTopics();
    await infra.stop();
  }

  const chaos = readChaosReport(chaosReportPath);
  if (chaos) {
    rows.push(...chaosRows(chaos));
    sections.push(chaosSection(chaos));
  } else {
    log(`no crash suite figures at ${chaosReportPath} (CHAOS_REPORT_FILE=… npm run test:chaos)`);
  }

  const e = e2eSettings;
  const settings = [
    only.has('ingress') && `ingress ${seconds} s with ${connections} connections`,
    e.parts.has('sweep') &&
      `sweep ${e.sweepRates.join(', ')}/s, ${e.sweepSeconds} s each (drain ≤ ${e.drainSeconds} s), ${e.businesses} businesses`,
    e.parts.has('idle') && `idle ${e.idleSeconds} s, low load ${e.lowRate}/s for ${e.lowSeconds} s`,
    e.parts.has('isolation') && `isolation ${e.isolationSeconds} s per phase`,
    e.parts.has('flood') &&
      `flood ${e.floodSeconds} s per phase, ${e.floodRate} webhooks/s of ${e.floodEvents} statuses`,
    e.parts.has('soak') && `soak ${e.soakSeconds} s at ${e.soakRate}/s`,
    `broker at start: ${broker}`,
    `whole run ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
  ]
    .filter(Boolean)
    .join('; ');
  const markdown = await formatMarkdown(render(machine, rows, sections, previous, settings));
  if (reportPath) {
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, markdown);
    if (e2e?.sweep) {
      const title = `Offered-rate sweep — ${machine.commit}, ${machine.date}`;
      writeFileSync(
        join(dirname(reportPath), svgName),
        sweepSvg(e2e.sweep.steps, e2e.sweep.knee, title),
      );
    }
    log(`wrote ${reportPath}${e2e?.sweep ? ` and ${svgName} beside it` : ''}`);
  } else {
    log(`(BENCH_ONLY set: ${docsReport} not written; BENCH_REPORT=<path> writes the report there)`);
  }
  console.log(markdown);
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAllChildren().catch(() => undefined);
  await dropLeftoverTopics().catch(() => undefined);
  await dropExistingLeftovers().catch(() => undefined);
  process.exit(1);
});
