/**
 * What tracing costs at ingress: the built ingress (signature check, raw record to Kafka with
 * acks=all, then 200) with tracing on with 1 % of webhooks sampled (the SDK and propagation at
 * work on every request, spans recorded for few), and on with every webhook traced and exported
 * over OTLP/HTTP to a sink on this machine, each measured side by side with an ingress that has
 * tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT: the SDK is not loaded): both are driven at once by
 * closed loops of their own, so they share the cores and whatever else the machine does in the
 * very same seconds, and each ratio compares two figures taken under the same conditions (a
 * shared machine's speed drifts by a third between rounds run one after the other). Prints
 * webhooks/s, latency and ingress CPU per webhook per round, and the medians of each mode and of
 * its ratios to the ingress beside it.
 *
 * Spans are exported as the services export them in production: OTLP/HTTP with the SDK's default
 * encoding, protobuf (`OTEL_EXPORTER_OTLP_PROTOCOL` unset); `BENCH_OTLP_PROTOCOL` sets another for
 * mode `on`. Mode `json` (only when `BENCH_MODES` names it) traces every webhook too, exported as
 * OTLP/HTTP JSON, to compare the two encodings in one run.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/tracing.ts
 *   (BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_OTLP_PROTOCOL,
 *    BENCH_MODES=off,on)
 *
 * `BENCH_CPU_PROF=<dir>` writes a CPU profile of each round's ingress under `<dir>/<mode>/`
 * (`node --cpu-prof`), for a look at where tracing's cost goes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ConfigTopic, configKey, encode, type SourceRecord } from '@switchboard/contracts';
import { deleteTopicsWithPrefix, testKafka, uniqueName } from '@switchboard/testing';
import {
  type ClosedLoopResult,
  closedLoop,
  freePort,
  metaBody,
  metaHeaders,
  sleep,
  startChild,
  startService,
  stopAllChildren,
  waitHttp,
} from './lib';
import { cpuMs, kafkaPids, machineBusyMs } from './proc';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const secret = 'bench-tracing-app-secret';
/** The key services seal stored secrets with. */
const dataKeys = process.env.DATA_KEYS ?? `bench:${randomBytes(32).toString('base64')}`;

/**
 * An OTLP/HTTP endpoint that reads and drops what it is sent, counting the spans' bytes, in a
 * process of its own as a collector would be, so that its answers never wait on the load
 * generator. It answers success in the request's encoding: `{}` for JSON, an empty message for protobuf;
 * `GET /bytes` tells how many bytes it was sent.
 */
const sinkScript = `
let bytes = 0;
const server = require('node:http').createServer((req, res) => {
  if (req.method === 'GET') return res.end(String(bytes));
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () =>
    String(req.headers['content-type']).startsWith('application/json')
      ? res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      : res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(),
  );
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

/** The sink's process, whose CPU counts with the bench's own. */
let sinkPid: number | undefined;

async function startSink(): Promise<{ url: string; bytes: () => Promise<number> }> {
  const child = startChild(process.execPath, ['-e', sinkScript]);
  sinkPid = child.process.pid;
  const deadline = Date.now() + 10_000;
  let port: string | undefined;
  while (!(port = /port (\d+)/.exec(child.output())?.[1])) {
    if (Date.now() > deadline) throw new Error(`OTLP sink did not start: ${child.output()}`);
    await sleep(50);
  }
  const url = `http://127.0.0.1:${port}`;
  return { url, bytes: async () => Number(await (await fetch(`${url}/bytes`)).text()) };
}

type Mode = 'before' | 'off' | 'sampled' | 'on' | 'json';

/**
 * `BENCH_BEFORE`: a built checkout of another commit (e.g. one before tracing, with its own
 * `node_modules/@switchboard/*` pointing at its packages): its ingress runs as one more mode,
 * without tracing variables, to compare tracing off with code that has no tracing at all; with
 * `BENCH_BEFORE_TRACED=1`, with every webhook traced and exported as in mode `on`, to compare a
 * change in what tracing costs within one run.
 */
const before = process.env.BENCH_BEFORE;
const beforeTraced = process.env.BENCH_BEFORE_TRACED === '1';
/** `BENCH_MODES`: the modes to run, e.g. `off,on` (default all but `json`; `before` only with BENCH_BEFORE). */
const modes: readonly Mode[] = (
  before
    ? (['before', 'off', 'sampled', 'on', 'json'] as const)
    : (['off', 'sampled', 'on', 'json'] as const)
).filter((mode) => process.env.BENCH_MODES?.split(',').includes(mode) ?? mode !== 'json');
const cpuProfiles = process.env.BENCH_CPU_PROF;
/** Unset: the SDK's default, OTLP/HTTP protobuf, as in production. */
const otlpProtocol = process.env.BENCH_OTLP_PROTOCOL;

interface Measured extends ClosedLoopResult {
  /** Ingress CPU time (user and system) per webhook answered 200. */
  cpuMsPerWebhook: number;
  /**
   * CPU the machine spent on anything but ingress, this process and the Kafka broker, in cores:
   * other work competing with the round, which makes its CPU per webhook worth less.
   */
  otherCores: number;
}

/** CPU of the ingresses, this process (the load generator), the OTLP sink and Kafka, ms. */
function benchCpuMs(ingressPids: readonly number[]): number {
  const self = process.cpuUsage();
  const pids = [...ingressPids, ...(sinkPid ? [sinkPid] : []), ...kafkaPids()];
  return pids.reduce((sum, pid) => sum + (cpuMs(pid) ?? 0), (self.user + self.system) / 1000);
}

const modeEnv = (mode: Mode, sinkUrl: string): Record<string, string> =>
  mode === 'off' || (mode === 'before' && !beforeTraced)
    ? {}
    : {
        OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
        ...(mode === 'json'
          ? { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }
          : otlpProtocol
            ? { OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol }
            : {}),
        ...(mode === 'sampled'
          ? { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' }
          : {}),
      };

interface Ingress {
  mode: Mode;
  origin: string;
  pid: number;
  stop: () => Promise<void>;
}

/** An ingress in the given mode, ready and knowing the bench's source. */
async function startIngress(
  mode: Mode,
  sinkUrl: string,
  prefix: string,
  sourceId: string,
  verifyToken: string,
): Promise<Ingress> {
  const port = await freePort();
  const env = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    KAFKA_TOPIC_PREFIX: prefix,
    DATA_KEYS: dataKeys,
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...modeEnv(mode, sinkUrl),
    ...(cpuProfiles
      ? {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${join(cpuProfiles, mode)}`,
        }
      : {}),
  };
  const ingress =
    mode === 'before'
      ? startChild(process.execPath, [join(before!, 'apps', 'ingress', 'dist', 'main.js')], {
          ...env,
          PORT: String(port),
          HOST: '127.0.0.1',
        })
      : startService('ingress', port, env);
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(`${origin}/health/ready`, ingress, `ingress (tracing ${mode})`);
    const handshake = `${origin}/webhooks/meta/${sourceId}?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=ready`;
    const deadline = Date.now() + 30_000;
    while ((await fetch(handshake).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error('ingress did not learn the bench source');
      await sleep(200);
    }
  } catch (err) {
    await ingress.stop();
    throw err;
  }
  return { mode, origin, pid: ingress.process.pid!, stop: () => ingress.stop() };
}

/**
 * Drives every given ingress at once, each from its own closed loop, after a warm-up: they share
 * the machine's cores and whatever else runs on it during the very same seconds, so the ratio of
 * their figures is free of the drift between rounds that a shared machine shows.
 */
async function driveSideBySide(ingresses: readonly Ingress[], path: string): Promise<Measured[]> {
  const load = Array.from({ length: 2_000 }, (_, i) => {
    const body = metaBody(`wamid.bench-tracing-${i}-${randomUUID()}`);
    return { body, headers: metaHeaders(secret, body) };
  });
  await Promise.all(
    ingresses.map(({ origin }) => closedLoop(origin, path, load, { connections, seconds: 2 })),
  );
  const pids = ingresses.map(({ pid }) => pid);
  const cpuBefore = pids.map((pid) => cpuMs(pid) ?? 0);
  const [benchBefore, machineBefore] = [benchCpuMs(pids), machineBusyMs()];
  const results = await Promise.all(
    ingresses.map(({ origin }) => closedLoop(origin, path, load, { connections, seconds })),
  );
  const others = machineBusyMs() - machineBefore - (benchCpuMs(pids) - benchBefore);
  return results.map((result, i) => ({
    ...result,
    cpuMsPerWebhook: ((cpuMs(pids[i]!) ?? 0) - cpuBefore[i]!) / result.ok,
    otherCores: Math.max(0, others) / (result.seconds * 1000),
  }));
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
  const byMode = (): Record<Mode, Measured[]> => ({
    before: [],
    off: [],
    sampled: [],
    on: [],
    json: [],
  });
  const results = byMode();
  /** For each measured mode, the ingress with tracing off that ran beside it, round by round. */
  const offBeside = byMode();
  let exported = 0;
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
    const path = `/webhooks/meta/${sourceId}`;
    const report = (mode: Mode, round: number, r: Measured): void =>
      console.log(
        `tracing ${mode.padEnd(7)} round ${round + 1}: ${r.perSecond.toFixed(0)} webhooks/s, ` +
          `p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, ` +
          `${r.cpuMsPerWebhook.toFixed(3)} ms CPU per webhook, ${r.errors} errors, ` +
          `other work on the machine ${r.otherCores.toFixed(2)} cores`,
      );
    for (let round = 0; round < rounds; round++) {
      // Each measured mode beside an ingress with tracing off, started in turn first and second.
      for (const mode of modes.filter((m) => m !== 'off')) {
        const pair: Mode[] = round % 2 === 0 ? ['off', mode] : [mode, 'off'];
        const ingresses: Ingress[] = [];
        try {
          for (const m of pair) {
            ingresses.push(await startIngress(m, sink.url, prefix, sourceId, verifyToken));
          }
          const measured = await driveSideBySide(ingresses, path);
          const off = measured[pair.indexOf('off')]!;
          const traced = measured[pair.indexOf(mode)]!;
          results.off.push(off);
          results[mode].push(traced);
          offBeside[mode].push(off);
          report('off', round, off);
          report(mode, round, traced);
        } finally {
          await Promise.all(ingresses.map((ingress) => ingress.stop()));
        }
      }
    }
    exported = await sink.bytes();
  } finally {
    await stopAllChildren();
    await deleteTopicsWithPrefix(kafka, prefix);
  }
  // Each ratio is taken against the ingress with tracing off that ran in the same seconds.
  const ratio = (mode: Mode, figure: (r: Measured) => number): number =>
    median(results[mode].map((r, i) => figure(r) / figure(offBeside[mode][i]!)));
  const line = (mode: Mode, label: string): string[] => {
    if (!modes.includes(mode) || results[mode].length === 0) return [];
    const perSecond = median(results[mode].map((r) => r.perSecond));
    const p99 = median(results[mode].map((r) => r.latency.p99));
    const cpu = median(results[mode].map((r) => r.cpuMsPerWebhook));
    const change =
      mode === 'off'
        ? ''
        : ` (beside tracing off: ` +
          `${((1 - ratio(mode, (r) => r.perSecond)) * 100).toFixed(1)} % fewer webhooks/s, ` +
          `${((ratio(mode, (r) => r.cpuMsPerWebhook) - 1) * 100).toFixed(1)} % more CPU per webhook)`;
    return [
      `  ${label.padEnd(24)} ${perSecond.toFixed(0)} webhooks/s, p99 ${p99.toFixed(2)} ms, ` +
        `${cpu.toFixed(3)} ms CPU per webhook${change}`,
    ];
  };
  // Tracing on here against the traced before checkout, each against the off beside it.
  const againstBefore = (): string[] => {
    if (!beforeTraced || results.before.length === 0 || results.on.length === 0) return [];
    const cost = (mode: Mode): number => ratio(mode, (r) => r.cpuMsPerWebhook);
    return [
      `  all traced against before: ${((cost('on') / cost('before') - 1) * 100).toFixed(1)} % CPU per webhook`,
    ];
  };
  console.log(
    [
      `\ningress, ${connections} connections each, two ingresses side by side, ` +
        `${seconds} s per round, median of ${rounds} rounds, ` +
        `spans exported over OTLP ${otlpProtocol ?? 'http/protobuf'}:`,
      ...line('before', `before (${before}${beforeTraced ? ', all traced' : ''}):`),
      ...line('off', 'tracing off:'),
      ...line('sampled', 'tracing on, 1 % sampled:'),
      ...line('on', 'tracing on, all traced:'),
      ...line('json', 'all traced, as JSON:'),
      ...againstBefore(),
      `  ${(exported / 1024 / 1024).toFixed(1)} MiB of spans exported`,
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
