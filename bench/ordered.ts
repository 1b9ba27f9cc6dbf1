/**
 * What ordered delivery (`configuration.ordering: conversation`) costs, beside the same run
 * unordered (`BENCH_ONLY=ordered npm run bench`, or a part of the full run):
 *
 *   burst  the delivery service alone (no ingress or normalizer: canonical events published
 *          straight to `switchboard.messages.v1`), one subscription, BENCH_ORDERED_CONVERSATIONS
 *          (10,000) conversations each with a burst of BENCH_ORDERED_BURST (10) events, published
 *          at once: how long until every event is delivered, unordered and then ordered, and how
 *          many arrived out of their conversation's order
 *   sweep  the end-to-end pipeline (all four services, bench/pipeline.ts) offered the sweep's
 *          rates with every healthy subscription unordered, then with all of them ordered
 *
 * Settings: BENCH_ORDERED_CONVERSATIONS (10000), BENCH_ORDERED_BURST (10),
 * BENCH_ORDERED_TIMEOUT_SECONDS (600), BENCH_ORDERED_RATES (250,500,1000,2000),
 * BENCH_ORDERED_SECONDS (10), BENCH_ORDERED_DRAIN_SECONDS (30); BENCH_ORDERED_PARTS (burst,sweep)
 * runs only some; the sweep uses BENCH_BUSINESSES and BENCH_WARMUP_SECONDS as the main sweep does.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CloudEvent,
  ConfigTopic,
  configKey,
  encode,
  encodeMessage,
  publicTopic,
  type SubscriptionRecord,
} from '@switchboard/contracts';
import { createTestDatabase, testDataKeys, testKafka, uniqueName } from '@switchboard/testing';
import { keepsUp, pastKnee } from './e2e';
import {
  createdDatabases,
  createdPrefixes,
  freePort,
  monoMs,
  percentiles,
  type Percentiles,
  sleep,
  startService,
  waitHttp,
} from './lib';
import { type PhaseResult, Pipeline } from './pipeline';
import type { SummaryRow } from './report';

export interface OrderedSettings {
  parts: Set<'burst' | 'sweep'>;
  conversations: number;
  burst: number;
  timeoutSeconds: number;
  rates: number[];
  seconds: number;
  drainSeconds: number;
  businesses: number;
  warmupSeconds: number;
}

export interface BurstFigures {
  ordering: 'none' | 'conversation';
  events: number;
  delivered: number;
  /** From the first event published until the last delivered. */
  seconds: number;
  perSecond: number;
  /** Publication of an event's batch to its receipt, ms. */
  latency: Percentiles;
  /** Receipts of an event earlier in its conversation than one already received. */
  outOfOrder: number;
  duplicates: number;
}

export interface OrderedSweepStep {
  rate: number;
  off?: PhaseResult;
  on?: PhaseResult;
}

export interface OrderedFigures {
  bursts: BurstFigures[];
  sweep?: { steps: OrderedSweepStep[]; kneeOff?: number; kneeOn?: number };
}

/** A receiver that answers 200 and checks each conversation's order (`data.seq`). */
interface BurstReceiver {
  url: string;
  server: Server;
  received: Map<string, number>;
  outOfOrder: number;
  duplicates: number;
  reset(): void;
}

async function startBurstReceiver(): Promise<BurstReceiver> {
  const lastSeq = new Map<string, number>();
  const state: BurstReceiver = {
    url: '',
    server: createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = monoMs();
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          id: string;
          subject: string;
          data: { seq?: number };
        };
        if (state.received.has(event.id)) state.duplicates++;
        else {
          state.received.set(event.id, at);
          const seq = event.data.seq ?? 0;
          if (seq < (lastSeq.get(event.subject) ?? -1)) state.outOfOrder++;
          else lastSeq.set(event.subject, seq);
        }
        res.writeHead(200).end('ok');
      });
    }),
    received: new Map(),
    outOfOrder: 0,
    duplicates: 0,
    reset() {
      state.received.clear();
      lastSeq.clear();
      state.outOfOrder = 0;
      state.duplicates = 0;
    },
  };
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

function subscription(
  businessId: string,
  address: string,
  ordering: 'none' | 'conversation',
): SubscriptionRecord {
  const now = new Date().toISOString();
  return {
    kind: 'subscription',
    id: `sub_${businessId}`,
    businessId,
    topic: 'messages',
    address,
    state: 'active',
    configuration: { echo: false, channelTypes: [], filters: [], ordering },
    secrets: [
      {
        id: 'whs_bench',
        value: `whsec_${randomBytes(24).toString('base64')}`,
        createdAt: now,
        expiresAt: null,
      },
    ],
    updatedAt: now,
    version: 1,
  };
}

function burstEvent(
  businessId: string,
  conversation: number,
  seq: number,
  tag: string,
): CloudEvent {
  const contact = String(16_500_000_000 + conversation);
  return {
    specversion: '1.0',
    id: `evt_${tag}_${conversation}_${seq}`,
    source: 'switchboard/meta/102290129340398',
    type: 'whatsapp.message.received',
    time: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
    subject: `106540352242922:${contact}`,
    datacontenttype: 'application/json',
    businessid: businessId,
    topic: 'messages',
    environment: 'production',
    provider: 'meta',
    rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
    data: {
      messageId: `wamid.${tag}.${conversation}.${seq}`,
      seq,
      business: { phoneNumberId: '106540352242922', displayPhoneNumber: null, wabaId: null },
      messageType: 'text',
      content: { type: 'text', text: `burst message ${seq} of conversation ${conversation}` },
    },
  } as CloudEvent;
}

/** The burst on the delivery service alone: unordered, then ordered, on one process. */
async function burst(s: OrderedSettings, log: (line: string) => void): Promise<BurstFigures[]> {
  const prefix = `${uniqueName('bench-ordered')}.`;
  createdPrefixes.add(prefix);
  const database = await createTestDatabase('bench_ordered');
  createdDatabases.add(database);
  const receiver = await startBurstReceiver();
  const port = await freePort();
  const delivery = startService('delivery', port, {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    KAFKA_TOPIC_PREFIX: prefix,
    DATABASE_URL: database.url,
    DATA_KEYS: testDataKeys(),
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ALLOW_HTTP_ADDRESSES: 'true',
    ADDRESS_ALLOWLIST: '127.0.0.1/32',
  });
  const producer = testKafka('bench-ordered').producer();
  await producer.connect();
  const messagesTopic = publicTopic('messages');
  const topicName = `${prefix}${messagesTopic.name}`;
  try {
    await waitHttp(`http://127.0.0.1:${port}/health/ready`, delivery, 'delivery', 90_000);
    const figures: BurstFigures[] = [];
    // An unmeasured warm-up (a tenth of the burst, unordered) first: connections, JIT, caches.
    for (const ordering of ['warm-up', 'none', 'conversation'] as const) {
      const warmUp = ordering === 'warm-up';
      const mode = warmUp ? 'none' : ordering;
      const conversations = warmUp
        ? Math.max(100, Math.ceil(s.conversations / 10))
        : s.conversations;
      const businessId = `biz_bench_${ordering.replace('-', '')}_${randomBytes(3).toString('hex')}`;
      const record = subscription(businessId, `${receiver.url}/${mode}`, mode);
      await producer.send({
        topic: `${prefix}${ConfigTopic.name}`,
        messages: [{ key: configKey(record), value: encode(ConfigTopic, record) }],
      });
      // A probe shows when delivery has the subscription.
      const probeDeadline = Date.now() + 60_000;
      for (let i = 0; receiver.received.size === 0; i++) {
        if (Date.now() > probeDeadline) throw new Error('delivery never took the subscription');
        if (i % 20 === 0) {
          await producer.send({
            topic: topicName,
            messages: [encodeMessage(messagesTopic, burstEvent(businessId, -1, i, 'probe'))],
          });
        }
        await sleep(100);
      }
      await sleep(1_000);
      receiver.reset();

      log(`  burst, ordering ${ordering}: ${conversations} conversations × ${s.burst} events`);
      const tag = `b${warmUp ? 'w' : ordering === 'none' ? 'u' : 'o'}`;
      const total = conversations * s.burst;
      const publishedAt = new Map<string, number>();
      const started = monoMs();
      const batch: CloudEvent[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const at = monoMs();
        for (const event of batch) publishedAt.set(event.id, at);
        await producer.send({
          topic: topicName,
          messages: batch.map((event) => encodeMessage(messagesTopic, event)),
        });
        batch.length = 0;
      };
      for (let c = 0; c < conversations; c++) {
        for (let seq = 0; seq < s.burst; seq++) batch.push(burstEvent(businessId, c, seq, tag));
        if (batch.length >= 500) await flush();
      }
      await flush();
      const deadline = monoMs() + s.timeoutSeconds * 1000;
      while (receiver.received.size < total && monoMs() < deadline) await sleep(200);
      const receipts = [...receiver.received.values()];
      const last = receipts.reduce((m, t) => Math.max(m, t), started);
      const seconds = (last - started) / 1000;
      const latencies = [...receiver.received].map(([id, at]) => at - (publishedAt.get(id) ?? at));
      if (warmUp) {
        log(`    ${receiver.received.size}/${total} delivered (not measured)`);
        continue;
      }
      figures.push({
        ordering: mode,
        events: total,
        delivered: receiver.received.size,
        seconds,
        perSecond: receiver.received.size / Math.max(seconds, 0.001),
        latency: percentiles(latencies),
        outOfOrder: receiver.outOfOrder,
        duplicates: receiver.duplicates,
      });
      const f = figures.at(-1)!;
      log(
        `    ${f.delivered}/${f.events} delivered in ${f.seconds.toFixed(1)} s ` +
          `(${f.perSecond.toFixed(0)}/s), p50 ${f.latency.p50.toFixed(0)} ms, p99 ${f.latency.p99.toFixed(0)} ms, ` +
          `${f.outOfOrder} out of order, ${f.duplicates} duplicates`,
      );
    }
    return figures;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await delivery.stop();
    await new Promise((resolve) => receiver.server.close(resolve));
    await database.drop().then(() => createdDatabases.delete(database));
  }
}

/** The pipeline's sweep, every healthy subscription unordered, then ordered. */
async function sweep(
  s: OrderedSettings,
  log: (line: string) => void,
): Promise<NonNullable<OrderedFigures['sweep']>> {
  const pipeline = new Pipeline(log);
  const steps: OrderedSweepStep[] = s.rates.map((rate) => ({ rate }));
  try {
    await pipeline.start(s.businesses);
    const healthy = pipeline.businesses;
    for (const mode of ['off', 'on'] as const) {
      if (mode === 'on') {
        for (const business of healthy) {
          await pipeline.configure(business, { ordering: 'conversation' });
        }
        await pipeline.settle(3, 120);
      }
      await pipeline.phase(
        `ordering ${mode}: warm-up`,
        pipeline.stream(healthy, `${mode}warm`, 100),
        s.warmupSeconds,
        { drainSeconds: 30 },
      );
      let pastInARow = 0;
      for (const step of steps) {
        if (pastInARow >= 2) break;
        const result = await pipeline.phase(
          `ordering ${mode}: ${step.rate}/s`,
          pipeline.stream(healthy, `${mode}${step.rate}`, step.rate),
          s.seconds,
          { drainSeconds: s.drainSeconds },
        );
        step[mode] = result;
        pastInARow = pastKnee(result) ? pastInARow + 1 : 0;
      }
    }
  } finally {
    await pipeline.stop();
  }
  const knee = (mode: 'off' | 'on'): number | undefined =>
    steps
      .filter((st) => st[mode] !== undefined && keepsUp(st[mode]))
      .reduce<number | undefined>((k, st) => Math.max(k ?? 0, st.rate), undefined);
  return { steps, kneeOff: knee('off'), kneeOn: knee('on') };
}

export async function benchOrdered(
  settings: OrderedSettings,
  log: (line: string) => void,
): Promise<OrderedFigures> {
  const figures: OrderedFigures = { bursts: [] };
  if (settings.parts.has('burst')) figures.bursts = await burst(settings, log);
  if (settings.parts.has('sweep')) figures.sweep = await sweep(settings, log);
  return figures;
}

export function orderedRows(f: OrderedFigures): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const off = f.bursts.find((b) => b.ordering === 'none');
  const on = f.bursts.find((b) => b.ordering === 'conversation');
  if (on) {
    rows.push(
      {
        figure: `ordered burst of ${on.events.toLocaleString('en-US')} events (deliveries/s)`,
        value: on.perSecond,
        baseline: off?.perSecond,
        baselineLabel: 'the same burst unordered',
      },
      {
        figure: 'ordered burst: deliveries out of their conversation order',
        value: on.outOfOrder,
        baseline: off?.outOfOrder,
        baselineLabel: 'the same burst unordered',
        bar: '0',
        met: on.outOfOrder === 0,
      },
    );
  }
  if (f.sweep) {
    rows.push({
      figure: 'ordered sweep knee (webhooks/s)',
      value: f.sweep.kneeOn,
      baseline: f.sweep.kneeOff,
      baselineLabel: 'the same sweep unordered',
    });
  }
  return rows;
}

const fixed = (n: number | undefined, d = 0): string => (n === undefined ? '–' : n.toFixed(d));

export function orderedSection(
  f: OrderedFigures,
  s: OrderedSettings,
): { title: string; body: string } {
  const lines: string[] = [];
  if (f.bursts.length > 0) {
    lines.push(
      `The delivery service alone (canonical events published straight to its topic; no ingress or ` +
        `normalizer), one subscription to a local receiver, ${s.conversations.toLocaleString('en-US')} ` +
        `conversations each with a burst of ${s.burst} events published at once ` +
        `(${(s.conversations * s.burst).toLocaleString('en-US')} events), unordered and then ordered ` +
        '(`configuration.ordering: conversation`) on the same process. Latency: from the publication ' +
        'of an event to its receipt.',
      '',
      '| ordering | events | delivered | seconds | deliveries/s | p50 ms | p99 ms | out of order | duplicates |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...f.bursts.map(
        (b) =>
          `| ${b.ordering} | ${b.events} | ${b.delivered} | ${b.seconds.toFixed(1)} | ${b.perSecond.toFixed(0)} | ${b.latency.p50.toFixed(0)} | ${b.latency.p99.toFixed(0)} | ${b.outOfOrder} | ${b.duplicates} |`,
      ),
      '',
    );
  }
  if (f.sweep) {
    lines.push(
      `The end-to-end pipeline's offered-rate sweep (${s.seconds} s a rate, ${s.businesses} businesses, ` +
        'messages and statuses of 1,000 contacts each), every healthy subscription unordered, then ' +
        'all of them ordered, on the same services.',
      '',
      '| offered/s | unordered delivered/s | p50 ms | p99 ms | ordered delivered/s | p50 ms | p99 ms |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...f.sweep.steps.map(
        (st) =>
          `| ${st.rate} | ${fixed(st.off?.deliveredPerSecond)} | ${fixed(st.off?.e2e.p50)} | ${fixed(st.off?.e2e.p99)} | ${fixed(st.on?.deliveredPerSecond)} | ${fixed(st.on?.e2e.p50)} | ${fixed(st.on?.e2e.p99)} |`,
      ),
      '',
      `knee unordered: ${f.sweep.kneeOff ?? 'none'}/s; ordered: ${f.sweep.kneeOn ?? 'none'}/s`,
    );
  }
  return { title: 'Ordered delivery', body: lines.join('\n').trim() };
}
