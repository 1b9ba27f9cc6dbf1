/**
 * The whole pipeline for the end-to-end benchmarks: the four built services as processes on their
 * own topic prefix and a fresh database, subscriber endpoints in processes of their own (a healthy
 * one, one answering 500, one black hole), benchmark businesses with Meta sources and `messages` +
 * `delivery_status` subscriptions, and `phase()`: offer signed webhooks at a fixed rate, wait for
 * the subscriber to receive them, and give acknowledged and delivered rates, end-to-end latency
 * (ingress 200 → subscriber receipt, matched by message id) and the CPU every process spent.
 */
import { createHmac, randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  receiverProcessPath,
  type TestDatabase,
  testKafka,
  uniqueName,
} from '@switchboard/testing';
import { Client } from 'pg';
import {
  BodyTemplate,
  type Child,
  createdDatabases,
  createdPrefixes,
  fixedRate,
  type FixedRateResult,
  freePort,
  metaBody,
  metaBusinessIds,
  type MetaIds,
  metaStatusBody,
  monoMs,
  type Percentiles,
  percentiles,
  type RateStream,
  sleep,
  startChild,
  startService,
  waitHttp,
} from './lib';
import {
  type CpuSource,
  type CpuWindow,
  kafkaPids,
  pidSource,
  pidsSource,
  postgresSource,
  rssBytes,
  startCpuWindow,
} from './proc';
import { createFloorTables, type FloorRole, type FloorSource, floorTopics } from './floor';
import { errorMessage } from '@switchboard/service-kit/error-message';

export const serviceNames = ['ingress', 'normalizer', 'subscriptions', 'delivery'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** CPU figures of a window, in this order; `PG_BENCH_DB` is part of `PostgreSQL`. */
export const cpuNames = [
  ...serviceNames,
  'Kafka broker',
  'PostgreSQL',
  'PostgreSQL: bench database backends',
  'load generator',
  'receivers',
] as const;
export const PG_BENCH_DB = 'PostgreSQL: bench database backends';

type ReceiverMode = 'ok' | 'fail' | 'blackhole' | 'sink';

interface Receiver {
  child: Child;
  url: string;
  stats: { requests: number; connections: number };
}

export interface Business {
  name: string;
  /** The business's id in the admin API (the `businessid` of its events). */
  id: string;
  base: string;
  key: Record<string, string>;
  path: string;
  secret: string;
  ids: MetaIds;
}

export interface PhaseResult {
  label: string;
  /** Offered webhooks/s of the measured (healthy) stream. */
  rate: number;
  seconds: number;
  /** Webhooks due in the window (rate × seconds), sent, and skipped (generator backlog full). */
  offered: number;
  sent: number;
  skipped: number;
  acked: number;
  /** Answers other than 200, by status. */
  rejected: Record<number, number>;
  unanswered: number;
  /** 200s per second in the steady part of the sending window (after its first tenth, ≤ 2 s). */
  ackedPerSecond: number;
  delivered: number;
  /** Receipts per second in the same part of the sending window. */
  deliveredPerSecond: number;
  /** Acknowledged but not received when the phase ended (counted as infinite latency). */
  missing: number;
  /** Receipts of an id already received (at-least-once redeliveries). */
  duplicates: number;
  /** Received although ingress did not answer 200 in time. */
  deliveredUnacked: number;
  /** How long the phase waited after sending for the rest to arrive, s. */
  drainedSeconds: number;
  ack: Percentiles;
  e2e: Percentiles;
  /** From the first request until the phase ended (drained or gave up). */
  cpu: CpuWindow;
  /** The other streams of the phase (not measured end to end). */
  others: FixedRateResult[];
}

/** Acknowledgements and receipts of one phase's ids, matched as they come in. */
class Tracker {
  readonly acked = new Map<string, number>();
  readonly received = new Map<string, number>();
  matched = 0;
  duplicates = 0;

  ack(id: string, at: number): void {
    this.acked.set(id, at);
    if (this.received.has(id)) this.matched++;
  }

  receipt(id: string, at: number): void {
    if (this.received.has(id)) {
      this.duplicates++;
      return;
    }
    this.received.set(id, at);
    if (this.acked.has(id)) this.matched++;
  }
}

const idPrefix = 'wamid.bench-';
/** The phase tag of a benchmark message id `wamid.bench-<tag>-<n>`. */
const tagOf = (id: string): string => id.slice(idPrefix.length, id.lastIndexOf('-'));

export class Pipeline {
  readonly businesses: Business[] = [];
  blackHoled!: Business;
  failing!: Business;
  /** A business that posts webhooks of thousands of events each (the flood benchmark). */
  flooding!: Business;
  ingressOrigin = '';
  private readonly services = new Map<ServiceName, Child>();
  private readonly receivers = new Map<ReceiverMode, Receiver>();
  private readonly trackers = new Map<string, Tracker>();
  /** Receipts of ids whose phase had already ended. */
  lateReceipts = 0;
  private database: TestDatabase | undefined;
  private pg: Client | undefined;
  private readonly prefix = `${uniqueName('bench-e2e')}.`;
  private readonly operatorKey = `op_${randomUUID()}`;
  private adminUrl = '';

  /**
   * `floor`: the four processes of `bench/floor.ts` (the same hops without Switchboard's logic) in
   * place of the services, under the same names (its delivery-log writer as `subscriptions`).
   */
  constructor(
    private readonly log: (line: string) => void,
    private readonly variant: 'switchboard' | 'floor' = 'switchboard',
  ) {}

  async start(businessCount: number): Promise<void> {
    if (this.variant === 'floor') return this.startFloor(businessCount);
    createdPrefixes.add(this.prefix);
    this.database = await createTestDatabase('bench_e2e');
    createdDatabases.add(this.database);
    for (const mode of ['ok', 'fail', 'blackhole', 'sink'] as const) {
      this.receivers.set(mode, await this.startReceiver(mode));
    }
    const ports = new Map<ServiceName, number>();
    for (const name of serviceNames) ports.set(name, await freePort());
    this.ingressOrigin = `http://127.0.0.1:${ports.get('ingress')}`;
    for (const name of serviceNames) {
      this.services.set(
        name,
        startService(name, ports.get(name)!, {
          KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
          KAFKA_TOPIC_PREFIX: this.prefix,
          DATABASE_URL: this.database.url,
          LOG_LEVEL: 'warn',
          SHUTDOWN_TIMEOUT_MS: '5000',
          OPERATOR_API_KEY: this.operatorKey,
          PUBLIC_INGRESS_URL: this.ingressOrigin,
          ALLOW_HTTP_ADDRESSES: 'true',
          ADDRESS_ALLOWLIST: '127.0.0.1/32',
          GRPC_PORT: String(await freePort()),
        }),
      );
    }
    await Promise.all(
      serviceNames.map((name) =>
        waitHttp(
          `http://127.0.0.1:${ports.get(name)}/health/ready`,
          this.services.get(name)!,
          name,
          90_000,
        ),
      ),
    );
    this.adminUrl = `http://127.0.0.1:${ports.get('subscriptions')}`;
    this.pg = new Client({ connectionString: this.database.url });
    // Dropping the database on an interrupt ends this connection; that is not an error.
    this.pg.on('error', () => undefined);
    await this.pg.connect();
    this.log('  four services ready');

    // The endpoints of other businesses that misbehave (used by the isolation benchmark only).
    this.blackHoled = await this.createBusiness(
      'Bench Black Hole',
      metaBusinessIds(900),
      this.receivers.get('blackhole')!.url,
    );
    this.failing = await this.createBusiness(
      'Bench Failing',
      metaBusinessIds(901),
      this.receivers.get('fail')!.url,
    );
    this.flooding = await this.createBusiness(
      'Bench Flood',
      metaBusinessIds(902),
      this.receivers.get('sink')!.url,
    );
    for (let k = 0; k < businessCount; k++) {
      this.businesses.push(
        await this.createBusiness(
          `Bench Healthy ${k + 1}`,
          metaBusinessIds(k),
          `${this.receivers.get('ok')!.url}/business-${k + 1}`,
        ),
      );
    }
    // A test delivery per healthy subscription proves delivery knows it before anything is
    // measured (retried: on a busy machine the first may not be recorded within the API's wait).
    await Promise.all(
      this.businesses.flatMap((b) =>
        ['messages', 'delivery_status'].map((topic) => this.testDelivery(b, topic)),
      ),
    );
    this.log(
      `  ${businessCount} healthy businesses (messages + delivery_status each), one black-holed, one failing`,
    );
  }

  private async startFloor(businessCount: number): Promise<void> {
    createdPrefixes.add(this.prefix);
    this.database = await createTestDatabase('bench_floor');
    createdDatabases.add(this.database);
    await createFloorTables(this.database.url);
    const kafka = testKafka('bench-floor');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.values(floorTopics).map((name) => ({
        topic: `${this.prefix}${name}`,
        numPartitions: 12,
        replicationFactor: 1,
      })),
    });
    await admin.disconnect();
    this.receivers.set('ok', await this.startReceiver('ok'));
    const sources: Record<string, FloorSource> = {};
    for (let k = 0; k < businessCount; k++) {
      const id = `biz_floor_${k + 1}`;
      const secret = `floor-secret-${randomUUID()}`;
      const url = `${this.receivers.get('ok')!.url}/business-${k + 1}`;
      sources[`src_floor_${k + 1}`] = { businessId: id, secret, url };
      this.businesses.push({
        name: `Floor ${k + 1}`,
        id,
        base: '',
        key: {},
        path: `/webhooks/meta/src_floor_${k + 1}`,
        secret,
        ids: metaBusinessIds(k),
      });
    }
    const roles: Record<ServiceName, FloorRole> = {
      ingress: 'ingress',
      normalizer: 'normalizer',
      subscriptions: 'log',
      delivery: 'delivery',
    };
    const ports = new Map<ServiceName, number>();
    for (const name of serviceNames) {
      ports.set(name, await freePort());
      this.services.set(
        name,
        startChild(process.execPath, ['--import', 'tsx', 'bench/floor.ts', roles[name]], {
          PORT: String(ports.get(name)),
          KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
          FLOOR_PREFIX: this.prefix,
          DATABASE_URL: this.database.url,
          FLOOR_SOURCES: JSON.stringify(sources),
        }),
      );
    }
    this.ingressOrigin = `http://127.0.0.1:${ports.get('ingress')}`;
    await Promise.all(
      serviceNames.map((name) =>
        waitHttp(
          `http://127.0.0.1:${ports.get(name)}/health/ready`,
          this.services.get(name)!,
          `floor ${roles[name]}`,
          90_000,
        ),
      ),
    );
    this.pg = new Client({ connectionString: this.database.url });
    this.pg.on('error', () => undefined);
    await this.pg.connect();
    this.log(`  floor: four processes ready, ${businessCount} businesses`);
  }

  private async startReceiver(mode: ReceiverMode): Promise<Receiver> {
    const child = startChild(
      process.execPath,
      [receiverProcessPath],
      { RECEIVER_MODE: mode, RECEIVER_ID_PREFIX: idPrefix },
      { ipc: true },
    );
    const stats = { requests: 0, connections: 0 };
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`receiver ${mode} did not start`)), 30_000);
      child.process.on('message', (m: ReceiverMessage) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve(m.port);
        } else if (m.type === 'stats') {
          stats.requests = m.requests;
          stats.connections = m.connections;
        } else if (m.type === 'receipts') {
          this.onReceipts(m.ids, m.at);
        }
      });
      void child.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`receiver ${mode} exited (${code}): ${child.output().slice(-2000)}`));
      });
    });
    return { child, url: `http://127.0.0.1:${port}/hooks`, stats };
  }

  private onReceipts(ids: string[], at: number[]): void {
    for (let i = 0; i < ids.length; i++) {
      const tracker = this.trackers.get(tagOf(ids[i]!));
      if (tracker) tracker.receipt(ids[i]!, at[i]!);
      else this.lateReceipts++;
    }
  }

  receiverStats(mode: ReceiverMode): { requests: number; connections: number } {
    return { ...this.receivers.get(mode)!.stats };
  }

  private async admin<T>(
    method: string,
    path: string,
    auth: Record<string, string>,
    body?: unknown,
  ): Promise<T> {
    const res = await fetch(`${this.adminUrl}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async createBusiness(name: string, ids: MetaIds, address: string): Promise<Business> {
    const created = await this.admin<{ id: string; apiKey: { key: string } }>(
      'POST',
      '/v1/businesses',
      { authorization: `Bearer ${this.operatorKey}` },
      { name },
    );
    const key = { 'x-api-key': created.apiKey.key };
    const base = `/v1/businesses/${created.id}`;
    const secret = `bench-secret-${randomUUID()}`;
    const source = await this.admin<{ id: string; webhookUrl: string; verifyToken: string }>(
      'POST',
      `${base}/sources`,
      key,
      {
        provider: 'meta',
        appSecret: secret,
        externalIds: { wabaIds: [ids.waba], phoneNumberIds: [ids.phone] },
      },
    );
    for (const topic of ['messages', 'delivery_status']) {
      await this.admin('POST', `${base}/webhooks`, key, { topic, address, configuration: {} });
    }
    const deadline = Date.now() + 30_000;
    const handshake = `${source.webhookUrl}?hub.mode=subscribe&hub.verify_token=${source.verifyToken}&hub.challenge=ready`;
    while ((await fetch(handshake).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`ingress did not learn the source of ${name}`);
      await sleep(200);
    }
    return {
      name,
      id: created.id,
      base,
      key,
      path: new URL(source.webhookUrl).pathname,
      secret,
      ids,
    };
  }

  private async testDelivery(business: Business, topic: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const test = await this.admin<{ outcome: string }>(
          'POST',
          `${business.base}/webhooks/${topic}/test`,
          business.key,
        );
        if (test.outcome === 'succeeded') return;
        throw new Error(JSON.stringify(test));
      } catch (err) {
        if (attempt >= 4) {
          throw new Error(
            `test delivery to ${business.name} ${topic} failed: ${errorMessage(err)}`,
          );
        }
        await sleep(1000);
      }
    }
  }

  /** Replaces the configuration of a business's subscriptions (e.g. ordered delivery). */
  async configure(business: Business, configuration: Record<string, unknown>): Promise<void> {
    for (const topic of ['messages', 'delivery_status']) {
      await this.admin('PATCH', `${business.base}/webhooks/${topic}`, business.key, {
        configuration,
      });
    }
  }

  /** Stops deliveries to a business's endpoint (its subscriptions disabled), e.g. after isolation. */
  async disable(business: Business): Promise<void> {
    for (const topic of ['messages', 'delivery_status']) {
      await this.admin('PATCH', `${business.base}/webhooks/${topic}`, business.key, {
        state: 'disabled',
      });
    }
  }

  /**
   * Signed Meta webhooks for `businesses` in turn, alternating between an inbound text message
   * (about 2 KB, to `messages`) and a status of a sent message (about 530 B, to
   * `delivery_status`), from 1,000 contacts per business so events spread over partitions. Bodies
   * come from templates made once per stream; each request costs a copy and an HMAC.
   */
  stream(businesses: readonly Business[], tag: string, rate: number): RateStream {
    if (!/^[a-z0-9]+$/.test(tag)) throw new Error(`phase tag ${tag} must be [a-z0-9]+`);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const templates = businesses.map((b) => ({
      business: b,
      message: new BodyTemplate(metaBody('@@ID@@', b.ids, '@@CONTACT@@', timestamp), [
        '@@ID@@',
        '@@CONTACT@@',
      ]),
      status: new BodyTemplate(
        metaStatusBody('@@ID@@', b.ids, '@@CONTACT@@', 'delivered', timestamp),
        ['@@ID@@', '@@CONTACT@@'],
      ),
    }));
    const n = templates.length;
    return {
      origin: this.ingressOrigin,
      rate,
      make: (i) => {
        const t = templates[i % n]!;
        const round = Math.floor(i / n);
        const key = `${idPrefix}${tag}-${i}`;
        const contact = String(16505550000 + (Math.floor(round / 2) % 1000));
        const body = (round % 2 === 0 ? t.message : t.status).fill([key, contact]);
        const signature = createHmac('sha256', t.business.secret).update(body).digest('hex');
        return {
          key,
          path: t.business.path,
          body,
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': `sha256=${signature}`,
          },
        };
      },
    };
  }

  /**
   * Signed Meta webhooks of `business`, each a batch of `events` statuses (one change holding
   * `statuses[]`, every status of another contact so that they spread over partitions): what one
   * business posting the largest webhooks the normalizer accepts looks like. Not measured end to
   * end (its endpoint is the sink receiver); see {@link pendingOf} for its backlog.
   */
  floodStream(business: Business, tag: string, rate: number, events: number): RateStream {
    if (!/^[a-z0-9]+$/.test(tag)) throw new Error(`flood tag ${tag} must be [a-z0-9]+`);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const statuses = Array.from({ length: events }, (_, k) => ({
      id: `wamid.flood-@@ID@@-${k}`,
      status: 'delivered',
      timestamp,
      recipient_id: String(16505550000 + (k % 1000)),
      conversation: { id: '4b4d6a2b8a6f1c6d8e0b0f7a2c2d1e3f', origin: { type: 'utility' } },
      pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
    }));
    const body = Buffer.from(
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: business.ids.waba,
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: {
                    display_phone_number: business.ids.display,
                    phone_number_id: business.ids.phone,
                  },
                  statuses,
                },
              },
            ],
          },
        ],
      }),
    );
    const template = new BodyTemplate(body, ['@@ID@@']);
    return {
      origin: this.ingressOrigin,
      rate,
      make: (i) => {
        const key = `flood-${tag}-${i}`;
        const filled = template.fill([`${tag}${i}`]);
        const signature = createHmac('sha256', business.secret).update(filled).digest('hex');
        return {
          key,
          path: business.path,
          body: filled,
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': `sha256=${signature}`,
          },
        };
      },
    };
  }

  /** Deliveries of a business stored and not yet finished (its backlog in the delivery service). */
  async pendingOf(business: Business): Promise<number> {
    const { rows } = await this.pg!.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM delivery.deliveries WHERE business_id = $1 AND state = 'pending'`,
      [business.id],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Where a phase's healthy events spent their time, from the audit log and the deliveries table
   * (p50 and p99, ms): ingress receipt → stored by the normalizer, → stored by delivery, → first
   * attempt started. Undefined when the tables cannot be joined.
   */
  async stagesOf(tag: string): Promise<Stages | undefined> {
    const { rows } = await this.pg!.query<{
      n: number;
      normalized: number[] | null;
      stored: number[] | null;
      attempted: number[] | null;
    }>(
      `SELECT count(*)::int AS n,
              percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP
                (ORDER BY extract(epoch FROM c.recorded_at - r.received_at) * 1000) AS normalized,
              percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP
                (ORDER BY extract(epoch FROM d.created_at - c.recorded_at) * 1000) AS stored,
              percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP
                (ORDER BY extract(epoch FROM d.last_attempt_at - d.created_at) * 1000) AS attempted
       FROM normalizer.canonical_events c
       JOIN normalizer.raw_webhooks r ON r.id = c.raw_id
       JOIN delivery.deliveries d ON d.event_id = c.id::text
       WHERE c.message_id LIKE $1`,
      [`${idPrefix}${tag}-%`],
    );
    const row = rows[0];
    if (!row || row.n === 0 || !row.normalized || !row.stored || !row.attempted) return undefined;
    const pair = (v: number[]): [number, number] => [v[0]!, v[1]!];
    return {
      events: row.n,
      normalized: pair(row.normalized),
      stored: pair(row.stored),
      attempted: pair(row.attempted),
    };
  }

  /** What `cpu` windows read: the services, broker, database server, generator and receivers. */
  private async cpuSources(): Promise<CpuSource[]> {
    const { rows } = await this.pg!.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const benchBackends = rows.map((r) => r.pid);
    return [
      ...serviceNames.map((name) => pidSource(name, this.services.get(name)!.process.pid)),
      pidsSource('Kafka broker', kafkaPids),
      postgresSource,
      pidsSource(PG_BENCH_DB, () => benchBackends),
      pidSource('load generator', process.pid),
      pidsSource('receivers', () =>
        [...this.receivers.values()]
          .map((r) => r.child.process.pid)
          .filter((p): p is number => p !== undefined),
      ),
    ];
  }

  /** CPU of every process over `seconds` with nothing offered. */
  async idle(seconds: number): Promise<CpuWindow> {
    const window = startCpuWindow(await this.cpuSources());
    await sleep(seconds * 1000);
    return window.stop();
  }

  /** VmRSS of each service (and the broker and generator, for context), bytes. */
  rss(): Map<string, number | undefined> {
    const rss = new Map<string, number | undefined>();
    for (const name of serviceNames) rss.set(name, rssBytes(this.services.get(name)!.process.pid!));
    const broker = kafkaPids()[0];
    rss.set('Kafka broker', broker === undefined ? undefined : rssBytes(broker));
    rss.set('load generator', rssBytes(process.pid));
    return rss;
  }

  /**
   * Offers `measured` (and `others`, not measured end to end) for `seconds`, then waits until
   * every acknowledged measured webhook reached the subscriber, at most `drainSeconds`.
   */
  async phase(
    label: string,
    measured: RateStream,
    seconds: number,
    {
      others = [],
      drainSeconds,
    }: {
      others?: RateStream[];
      drainSeconds: number;
    },
  ): Promise<PhaseResult> {
    const rates = [measured, ...others].map((s) => `${s.rate}/s`).join(' + ');
    this.log(`  ${label}: ${rates} for ${seconds} s`);
    const probe = measured.make(0).key;
    const tag = tagOf(probe);
    if (this.trackers.has(tag)) throw new Error(`phase tag ${tag} is in use`);
    const tracker = new Tracker();
    this.trackers.set(tag, tracker);
    try {
      const window = startCpuWindow(await this.cpuSources());
      const [sent, ...rest] = await fixedRate(
        [{ ...measured, onAck: (id, at) => tracker.ack(id, at) }, ...others],
        seconds,
      );
      const drainStart = monoMs();
      const deadline = drainStart + drainSeconds * 1000;
      while (tracker.matched < tracker.acked.size && monoMs() < deadline) await sleep(100);
      const drainedSeconds = (monoMs() - drainStart) / 1000;
      const cpu = window.stop();
      for (const [name, child] of this.services) {
        if (child.process.exitCode !== null || child.process.signalCode !== null) {
          throw new Error(
            `${name} exited during ${label} (${child.process.exitCode ?? child.process.signalCode}):\n` +
              child.output().slice(-3000),
          );
        }
      }

      const latencies = new Float64Array(tracker.acked.size);
      let k = 0;
      for (const [id, ackedAt] of tracker.acked) {
        const got = tracker.received.get(id);
        latencies[k++] = got === undefined ? Infinity : Math.max(0, got - ackedAt);
      }
      const delivered = tracker.matched;
      // Rates in the steady part of the sending window: after its first tenth (at most 2 s), so
      // that neither the ramp-up nor the latency of the last requests counts.
      const from = sent!.startedAt + Math.min(2_000, seconds * 100);
      const to = sent!.startedAt + seconds * 1000;
      const perSecondIn = (times: Iterable<number>): number => {
        let n = 0;
        for (const t of times) if (t >= from && t < to) n++;
        return n / ((to - from) / 1000);
      };
      const result: PhaseResult = {
        label,
        rate: measured.rate,
        seconds,
        offered: sent!.offered,
        sent: sent!.sent,
        skipped: sent!.skipped,
        acked: sent!.ok,
        rejected: sent!.rejected,
        unanswered: sent!.unanswered,
        ackedPerSecond: perSecondIn(tracker.acked.values()),
        delivered,
        deliveredPerSecond: perSecondIn(tracker.received.values()),
        missing: sent!.ok - delivered,
        duplicates: tracker.duplicates,
        deliveredUnacked: tracker.received.size - delivered,
        drainedSeconds,
        ack: sent!.ackLatency,
        e2e: percentiles(latencies),
        cpu,
        others: rest,
      };
      const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '∞');
      const errors = sent!.offered - sent!.ok;
      this.log(
        `    ${result.acked} acknowledged (${result.ackedPerSecond.toFixed(0)}/s${errors ? `, ${errors} not` : ''}), ` +
          `${delivered} delivered (${result.deliveredPerSecond.toFixed(0)}/s), ${result.missing} missing, ` +
          `e2e p50 ${ms(result.e2e.p50)}, p99 ${ms(result.e2e.p99)}, max ${ms(result.e2e.max)}` +
          ` (drained ${drainedSeconds.toFixed(1)} s)`,
      );
      return result;
    } finally {
      this.trackers.delete(tag);
    }
  }

  /**
   * Waits until the subscriber has had no receipt for `quietSeconds` (what earlier phases left
   * queued has arrived or stopped arriving), at most `maxSeconds`; returns the seconds waited.
   */
  async settle(quietSeconds: number, maxSeconds: number): Promise<number> {
    const started = monoMs();
    let seen = this.lateReceipts;
    let quietSince = started;
    while (monoMs() - started < maxSeconds * 1000) {
      await sleep(250);
      if (this.lateReceipts !== seen) {
        seen = this.lateReceipts;
        quietSince = monoMs();
      } else if (monoMs() - quietSince >= quietSeconds * 1000) break;
    }
    return (monoMs() - started) / 1000;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    await Promise.all([...this.receivers.values()].map((r) => r.child.stop(5_000)));
    await this.pg?.end().catch(() => undefined);
    await this.database
      ?.drop()
      .then(() => createdDatabases.delete(this.database!))
      .catch((err: unknown) => this.log(`  could not drop database: ${errorMessage(err)}`));
    await deleteTopicsWithPrefix(testKafka('bench-e2e'), this.prefix).then(
      () => createdPrefixes.delete(this.prefix),
      (err: unknown) => this.log(`  could not delete topics ${this.prefix}*: ${errorMessage(err)}`),
    );
  }
}

/** p50 and p99 (ms) of each stage of a phase's events; see {@link Pipeline.stagesOf}. */
export interface Stages {
  events: number;
  normalized: [number, number];
  stored: [number, number];
  attempted: [number, number];
}

type ReceiverMessage =
  | { type: 'ready'; port: number }
  | { type: 'stats'; requests: number; connections: number }
  | { type: 'receipts'; ids: string[]; at: number[] };
