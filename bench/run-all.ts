/**
 * `npm run bench`: every benchmark of the quality bars in one process tree, each figure beside a
 * baseline measured in the same run, written to `docs/benchmarks.md` and printed.
 *
 *   1. ingress vs. a bare Fastify server doing the same HMAC check (closed loop, keep-alive)
 *   2. Kafka producer and normalizer (the existing benchmarks, run as they are)
 *   3. end to end: ingress 200 → subscriber receives, at a fixed offered rate
 *   4. isolation: the same, beside a subscription whose endpoint never answers
 *
 * Settings: BENCH_SECONDS (10), BENCH_CONNECTIONS (64), BENCH_E2E_RATE (1000),
 * BENCH_E2E_DRAIN_SECONDS (30), BENCH_BLACKHOLE_RATE (a fifth of the isolation rate),
 * BENCH_ONLY (comma list of ingress,kafka,normalizer,e2e; the report is written only for all).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deleteTopicsWithPrefix, provideInfrastructure, testKafka } from '@switchboard/testing';
import { Client } from 'pg';
import { benchEndToEnd, type E2eFigures } from './e2e';
import { benchIngress, type IngressFigures } from './ingress';
import { createdDatabases, createdPrefixes, root, startChild, stopAllChildren } from './lib';
import {
  describeMachine,
  formatMarkdown,
  previousFigures,
  render,
  type SummaryRow,
} from './report';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const e2eRate = Number(process.env.BENCH_E2E_RATE ?? 1_000);
const blackHoleRate = process.env.BENCH_BLACKHOLE_RATE
  ? Number(process.env.BENCH_BLACKHOLE_RATE)
  : undefined;
const drainSeconds = Number(process.env.BENCH_E2E_DRAIN_SECONDS ?? 30);
const only = new Set(
  (process.env.BENCH_ONLY ?? 'ingress,kafka,normalizer,e2e').split(',').map((s) => s.trim()),
);
const reportPath = join(root, 'docs', 'benchmarks.md');

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Deletes the topics of every prefix this run created and has not deleted yet. */
async function dropLeftoverTopics(): Promise<void> {
  for (const database of [...createdDatabases]) {
    await database.drop().then(
      () => createdDatabases.delete(database),
      (err: unknown) => log(`could not drop database ${database.name}: ${(err as Error).message}`),
    );
  }
  if (createdPrefixes.size === 0) return;
  const kafka = testKafka('bench-cleanup');
  for (const prefix of [...createdPrefixes]) {
    await deleteTopicsWithPrefix(kafka, prefix).then(
      () => createdPrefixes.delete(prefix),
      (err: unknown) => log(`could not delete topics ${prefix}*: ${(err as Error).message}`),
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
  const previous = previousFigures(reportPath);
  const rows: SummaryRow[] = [];
  const sections: { title: string; body: string }[] = [];

  try {
    let ingress: IngressFigures | undefined;
    if (only.has('ingress')) {
      log('1/4 ingress vs. bare Fastify');
      ingress = await benchIngress({ connections, seconds, log });
      const { ingress: i, baseline: b } = ingress;
      rows.push(
        {
          figure: 'ingress throughput (webhooks/s)',
          value: i.perSecond,
          baseline: b.perSecond,
          baselineLabel: 'bare Fastify + HMAC',
          bar: 'close to bare Fastify',
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
          bar: '≪ 50 ms',
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
      log('2/4 Kafka producer (packages/kafka/bench/producer.bench.ts)');
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
      log('2/4 normalizer (apps/normalizer/bench/normalizer.bench.ts)');
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
        },
      );
      sections.push({ title: 'Normalizer', body: report });
      log(report);
    }

    let e2e: E2eFigures | undefined;
    if (only.has('e2e')) {
      log('3/4 + 4/4 end to end and isolation (all four services)');
      e2e = await benchEndToEnd({ rate: e2eRate, blackHoleRate, seconds, drainSeconds, log });
      const { target, probe, alone, withBlackHole: beside } = e2e;
      rows.push(
        {
          figure: 'end to end: acknowledged at target rate (webhooks/s)',
          value: target.achievedPerSecond,
          baseline: target.targetPerSecond,
          baselineLabel: 'target',
          bar: '1,000/s',
        },
        {
          figure: 'end to end: delivered at target rate (events/s)',
          value: target.deliveredPerSecond,
          baseline: target.achievedPerSecond,
          baselineLabel: 'acknowledged by ingress',
          bar: '1,000/s',
        },
        {
          figure: 'end to end p50 at target rate (ms)',
          value: target.e2e.p50,
          bar: '≤ 20 ms',
          decimals: 1,
        },
        {
          figure: 'end to end p99 at target rate (ms)',
          value: target.e2e.p99,
          bar: '≤ 100 ms',
          decimals: 1,
        },
        {
          figure: 'sustained delivery, 1 s burst drained (events/s)',
          value: probe.deliveredPerSecond,
          baseline: probe.achievedPerSecond,
          baselineLabel: 'acknowledged by ingress',
        },
        {
          figure: 'isolation: healthy rate (webhooks/s)',
          value: e2e.isolationRate,
          bar: 'half the sustained rate',
        },
        {
          figure: 'isolation: healthy e2e p50 alone (ms)',
          value: alone.e2e.p50,
          bar: '≤ 20 ms',
          decimals: 2,
        },
        {
          figure: 'isolation: healthy e2e p99 alone (ms)',
          value: alone.e2e.p99,
          bar: '≤ 100 ms',
          decimals: 2,
        },
        {
          figure: 'isolation: healthy e2e p50 beside black hole (ms)',
          value: beside.e2e.p50,
          baseline: alone.e2e.p50,
          baselineLabel: 'healthy alone',
          bar: 'no slower',
          decimals: 2,
        },
        {
          figure: 'isolation: healthy e2e p99 beside black hole (ms)',
          value: beside.e2e.p99,
          baseline: alone.e2e.p99,
          baselineLabel: 'healthy alone',
          bar: 'no slower',
          decimals: 2,
        },
      );
      const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '∞');
      const line = (name: string, p: typeof alone): string =>
        `| ${name} | ${p.targetPerSecond} | ${p.achievedPerSecond.toFixed(0)} | ${p.deliveredPerSecond.toFixed(0)} | ${p.acked} | ${p.errors} | ${p.delivered} | ${p.missing} | ${ms(p.ack.p50)} | ${ms(p.ack.p99)} | ${ms(p.e2e.p50)} | ${ms(p.e2e.p99)} | ${ms(p.e2e.max)} |`;
      sections.push({
        title: 'End to end and isolation',
        body: [
          'All four built services as processes (ingress, normalizer, subscriptions, delivery; default settings) on ' +
            'one topic prefix and a fresh database; a business with a Meta source and a `messages` subscription to a ' +
            'local receiver. Signed webhooks (one message each) are offered at a fixed rate (open loop, new requests ' +
            'are sent on schedule whatever the answers do). End-to-end latency runs from the ingress 200 to the ' +
            'receiver getting the event, matched by message id; a message not received within the drain time ' +
            `(${drainSeconds} s after sending ends; 90 s for the probe) counts as infinite (∞).`,
          '',
          `Phases, in order: a 3 s warm-up; a capacity probe (a 1 s burst at ${e2eRate}/s, drained fully) whose ` +
            'delivered rate sets the isolation rate (half of it, at most the target); the healthy stream alone for ' +
            `${seconds} s; the same stream for ${seconds} s while a second business's subscription points at an ` +
            `endpoint that accepts TCP and never answers, fed ${e2e.blackHole.targetPerSecond} webhooks/s; last, the ` +
            `target rate of ${e2eRate}/s for ${seconds} s (last, because whatever it leaves queued is torn down).`,
          '',
          '| phase | offered /s | acknowledged /s | delivered /s | 200s | errors | delivered | missing | ack p50 ms | ack p99 ms | e2e p50 ms | e2e p99 ms | e2e max ms |',
          '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
          line('capacity probe (1 s burst)', probe),
          line('isolation: healthy endpoint alone', alone),
          line('isolation: healthy endpoint beside a black-holed one', beside),
          line(`target rate`, target),
          '',
          `Black-holed endpoint: ${e2e.blackHole.acked} webhooks acknowledged for it, ${e2e.blackHole.connectionsAccepted} connections accepted and never answered.`,
          `Healthy beside black hole / alone: p50 ${(beside.e2e.p50 / alone.e2e.p50).toFixed(2)}x, p99 ${(beside.e2e.p99 / alone.e2e.p99).toFixed(2)}x.`,
        ].join('\n'),
      });
      log(sections.at(-1)!.body);
    }
  } finally {
    await stopAllChildren();
    await dropLeftoverTopics();
    await infra.stop();
  }

  const settings =
    `${seconds} s per measurement, ${connections} connections for ingress, ` +
    `${e2eRate}/s end to end target (drain ${drainSeconds} s); whole run ${((Date.now() - startedAt) / 1000).toFixed(0)} s`;
  const markdown = await formatMarkdown(render(machine, rows, sections, previous, settings));
  if (only.size === 4) writeFileSync(reportPath, markdown);
  else log(`(BENCH_ONLY set: ${reportPath} not written)`);
  console.log(markdown);
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAllChildren().catch(() => undefined);
  await dropLeftoverTopics().catch(() => undefined);
  await dropExistingLeftovers().catch(() => undefined);
  process.exit(1);
});
