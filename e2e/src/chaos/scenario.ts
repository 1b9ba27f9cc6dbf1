import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fixtureJson } from '@switchboard/fixtures';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  eventually,
  freePort,
  localBroker,
  NO_ANSWER,
  OpenLoop,
  type OpenLoopRequest,
  repoRoot,
  type ServiceName,
  ServiceProcess,
  type TestDatabase,
  testKafka,
  testKafkaBrokers,
  uniqueName,
  waitForBrokerServing,
} from '@switchboard/testing';
import { Client } from 'pg';
import { adminCall } from '../admin-client';
import { DeliveryCounter } from './delivery-counter';

const seconds = Number(process.env.CHAOS_SECONDS ?? 60);
const rate = Number(process.env.CHAOS_RATE ?? 1000);
/** How long the pipeline gets after the load to become idle; what is undelivered then is lost. */
const drainSeconds = Number(process.env.CHAOS_DRAIN_SECONDS ?? 120);
const appSecret = 'chaos-meta-app-secret';
const duplicateGoalPercent = 0.1;

/** What a scenario's disruption gets: the running instances and the run's clock. */
export interface DisruptionContext {
  /** The instances of each service, in the order they were started. */
  readonly services: ReadonlyMap<ServiceName, readonly ServiceProcess[]>;
  /** Seconds of load. */
  readonly seconds: number;
  /** Resolves `ms` after the first request was due. */
  until(ms: number): Promise<void>;
  /** Adds a line to the run's timeline. */
  note(what: string): void;
  /** The operator key of this run's admin API. */
  readonly operatorKey: string;
  /** Keeps the stand-in orchestrator from starting a stopped instance again, until released. */
  hold(service: ServiceProcess): void;
  release(service: ServiceProcess): void;
}

/** What a scenario's own checks get once the pipeline is idle. */
export interface CheckContext {
  readonly postgres: Client;
  readonly figures: Record<string, unknown>;
  /** This run's topic prefix. */
  readonly prefix: string;
  /** Why requests got no answer, and how often. */
  readonly sentErrors: Record<string, number>;
}

export interface ChaosScenario {
  /** How the run reports itself, e.g. "crash suite". */
  readonly name: string;
  /** Folder of the run's service logs under .local/logs/chaos. */
  readonly slug: string;
  readonly describe: string;
  /** Instances of every service (2: two of each, sharing consumer groups and leases). */
  readonly replicas: number;
  /** The receiver answers 500 to the first attempt of every n-th message, so it is retried. */
  readonly failFirstEvery?: number;
  /** Share of the requests that must be acknowledged (the rest may meet an ingress restarting). */
  readonly minAcknowledgedShare: number;
  /** The scenario stops and starts the local broker (it must be the one this checkout runs). */
  readonly controlsBroker?: boolean;
  /** Where to write the figures as JSON (the crash suite's CHAOS_REPORT_FILE). */
  readonly reportFile?: string;
  /** What happens to the services while the load runs. */
  disrupt(context: DisruptionContext): Promise<void>;
  /** Further checks once the pipeline is idle. */
  check?(context: CheckContext): Promise<void>;
}

/**
 * One chaos run: signed Meta webhooks at line rate (CHAOS_RATE, 1,000/s by default, open loop) for
 * CHAOS_SECONDS (60) against the four services as processes while the scenario disrupts them;
 * then, once idle (or CHAOS_DRAIN_SECONDS after the load), nothing acknowledged is lost, every
 * acknowledged webhook is stored once with one event, and duplicate deliveries are counted
 * against their goal.
 */
export function describeChaos(scenario: ChaosScenario): void {
  describe(scenario.describe, () => {
    const suiteStarted = performance.now();
    const prefix = `${uniqueName(scenario.slug)}.`;
    const operatorKey = `op_${randomUUID()}`;
    const services = new Map<ServiceName, ServiceProcess[]>();
    const held = new Set<ServiceProcess>();
    let database: TestDatabase;
    let receiver: DeliveryCounter;
    let db: Client | undefined;
    const timers: NodeJS.Timeout[] = [];

    /** Every instance with its label: the service's name, and `#k` when there are several. */
    function* everyInstance(): Generator<[string, ServiceProcess]> {
      for (const [name, instances] of services) {
        for (const [k, instance] of instances.entries()) {
          yield [instances.length > 1 ? `${name}#${k + 1}` : name, instance];
        }
      }
    }
    const first = (name: ServiceName): ServiceProcess => services.get(name)![0]!;

    beforeAll(async () => {
      if (scenario.controlsBroker) localBroker.assertControllable();
      await waitForBrokerServing(testKafka());
      database = await createTestDatabase(scenario.slug.replace(/-/g, '_'));
      receiver = await DeliveryCounter.start({ failFirstEvery: scenario.failFirstEvery });
      const ingressPorts: number[] = [];
      for (let k = 0; k < scenario.replicas; k++) ingressPorts.push(await freePort());
      for (const name of ['ingress', 'normalizer', 'subscriptions', 'delivery'] as const) {
        const instances: ServiceProcess[] = [];
        for (let k = 0; k < scenario.replicas; k++) {
          instances.push(
            new ServiceProcess(name, name === 'ingress' ? ingressPorts[k]! : await freePort(), {
              KAFKA_BROKERS: testKafkaBrokers().join(','),
              KAFKA_TOPIC_PREFIX: prefix,
              // Consumer groups are the broker's, not the prefix's: without a group of its own,
              // this run's services would join those of any other run on the same broker with
              // the default names. The instances of one service share theirs, as replicas do.
              CONSUMER_GROUP_ID: `${prefix}${name}`,
              DATABASE_URL: database.url,
              LOG_LEVEL: 'warn',
              OPERATOR_API_KEY: operatorKey,
              PUBLIC_INGRESS_URL: `http://127.0.0.1:${ingressPorts[0]}`,
              ALLOW_HTTP_ADDRESSES: 'true',
              ADDRESS_ALLOWLIST: '127.0.0.1/32',
              GRPC_PORT: String(await freePort()),
              // Test settings, to keep the run short: an attempt cut short by a SIGKILL of
              // delivery comes due again when its lease ends, (1 + SUBSCRIPTION_QUEUE_LIMIT /
              // SUBSCRIPTION_CONCURRENCY) × DELIVERY_TIMEOUT_MS + ATTEMPT_LEASE_MARGIN_MS: 55 s
              // with the defaults, 12 s with these (the receiver answers in about a millisecond).
              DELIVERY_TIMEOUT_MS: '2000',
              ATTEMPT_LEASE_MARGIN_MS: '2000',
              KAFKA_ACK_TIMEOUT_MS: '2000',
              // A refused first attempt is retried about a second later.
              RETRY_SCHEDULE_SECONDS: '1,2,5,10,30,60',
            }),
          );
        }
        services.set(name, instances);
        for (const instance of instances) instance.start();
      }
      await Promise.all([...everyInstance()].map(([, s]) => s.waitReady(90_000)));
    }, 180_000);

    afterAll(async () => {
      for (const timer of timers) clearInterval(timer);
      await db?.end().catch(() => undefined);
      await Promise.all([...everyInstance()].map(([, s]) => s.stop('SIGTERM')));
      await receiver?.close();
      await database?.drop();
      await deleteTopicsWithPrefix(testKafka(), prefix);
    }, 120_000);

    it(
      'loses nothing that was acknowledged, and counts duplicate deliveries',
      async () => {
        // given a business with a Meta source and a subscription to the messages topic
        const subscriptions = first('subscriptions');
        const admin = <T>(
          method: string,
          path: string,
          auth: Record<string, string>,
          body?: unknown,
        ) => adminCall<T>(subscriptions.url, method, path, auth, body);
        const business = await admin<{ id: string; apiKey: { key: string } }>(
          'POST',
          '/v1/businesses',
          { authorization: `Bearer ${operatorKey}` },
          { name: 'Chaos Shoes' },
        );
        const key = { 'x-api-key': business.body.apiKey.key };
        const base = `/v1/businesses/${business.body.id}`;
        const source = await admin<{ webhookUrl: string; verifyToken: string }>(
          'POST',
          `${base}/sources`,
          key,
          { provider: 'meta', appSecret },
        );
        await admin('POST', `${base}/webhooks`, key, {
          topic: 'messages',
          address: receiver.url,
          configuration: {},
        });
        await eventually(
          async () => {
            const url = `${source.body.webhookUrl}?hub.mode=subscribe&hub.verify_token=${source.body.verifyToken}&hub.challenge=ok`;
            return (await fetch(url)).status === 200 ? true : undefined;
          },
          { timeoutMs: 30_000, what: 'ingress to know the source' },
        );
        // Delivery knows the subscription (a test event reaches the receiver) before the load starts;
        // on a busy machine the first test can outlast the admin API's wait, so it is asked again.
        let test: unknown;
        await eventually(
          async () => {
            const res = await admin<{ outcome?: string }>(
              'POST',
              `${base}/webhooks/messages/test`,
              key,
            );
            test = res.body;
            return res.body.outcome === 'succeeded' ? true : undefined;
          },
          { timeoutMs: 90_000, intervalMs: 1_000, what: 'a test event delivered' },
        ).catch((err: Error) => {
          const log = first('delivery').logs.slice(-2000);
          throw new Error(`${err.message}; last answer ${JSON.stringify(test)}; delivery:\n${log}`);
        });

        // when webhooks arrive at line rate while services are killed and the broker restarts
        const runId = randomBytes(4).toString('hex');
        const messageId = (i: number): string => `wamid.chaos-${runId}-${i}`;
        const placeholder = 'wamid.chaos-placeholder';
        const body = fixtureJson<{
          entry: { changes: { value: { messages: { id: string }[] } }[] }[];
        }>('meta/text-message.json');
        body.entry[0]!.changes[0]!.value.messages[0]!.id = placeholder;

        const webhookPath = new URL(source.body.webhookUrl).pathname;
        // Each acknowledged request's raw webhook id: ingress answers `{"id":"<uuid>"}`.
        const rawIds: (string | undefined)[] = [];
        const loader = new OpenLoop({
          url: (services.get('ingress') ?? []).map((i) => `${i.url}${webhookPath}`),
          rate,
          seconds,
          request: signedWebhooks(JSON.stringify(body), placeholder, messageId, appSecret),
          readAcknowledgedBody: true,
          onAnswer: (i, status, answer) => {
            if (status !== 200 || answer.body === undefined) return;
            // A slice, not a JSON parse.
            const start = answer.body.indexOf('"id":"') + 6;
            rawIds[i] = answer.body.slice(start, start + 36);
          },
        });
        const postgres = new Client({ connectionString: database.url });
        db = postgres;
        await postgres.connect();
        const started = performance.now();
        const timeline: string[] = [];
        const note = (what: string): void => {
          timeline.push(
            `${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${what}`,
          );
        };
        const until = (at: number) => sleep(Math.max(0, started + at - performance.now()));
        // Where the webhooks are, every 5 s: rows inserted so far from PostgreSQL's statistics (cheap,
        // about a second behind), deliveries pending, and what the receiver has had.
        const progress = setInterval(() => {
          postgres
            .query<{ raw: string; events: string; deliveries: string; pending: string }>(
              `SELECT (SELECT n_tup_ins FROM pg_stat_user_tables
                    WHERE schemaname = 'normalizer' AND relname = 'raw_webhooks') AS raw,
                  (SELECT n_tup_ins FROM pg_stat_user_tables
                    WHERE schemaname = 'normalizer' AND relname = 'canonical_events') AS events,
                  (SELECT n_tup_ins FROM pg_stat_user_tables
                    WHERE schemaname = 'delivery' AND relname = 'deliveries') AS deliveries,
                  (SELECT count(*) FROM delivery.deliveries WHERE state = 'pending') AS pending`,
            )
            .then(
              ({ rows: [row] }) =>
                note(
                  `progress: acknowledged ${loader.acknowledged}, raw stored ${row!.raw},` +
                    ` events ${row!.events}, deliveries ${row!.deliveries} (pending ${row!.pending}),` +
                    ` delivered ${receiver.perMessage.size}`,
                ),
              (err: Error) => note(`progress: ${err.message}`),
            );
        }, 5_000);
        timers.push(progress);
        // Each service's readiness as it changes, so the timeline shows when each one served.
        const readiness = new Map<string, string>();
        const watcher = setInterval(() => {
          for (const [label, service] of everyInstance()) {
            void fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(900) })
              .then(
                (res) => res.status,
                (err: Error) => (err.cause as { code?: string } | undefined)?.code ?? err.name,
              )
              .then((state) => {
                const now = state === 200 ? 'ready' : `not ready (${state})`;
                if (readiness.get(label) !== now) note(`${label} ${now}`);
                readiness.set(label, now);
              });
          }
        }, 1_000);
        timers.push(watcher);
        // As an orchestrator would: a service that exits (e.g. it started while the broker was
        // down) is started again.
        const supervisor = setInterval(() => {
          for (const [label, service] of everyInstance()) {
            if (!service.isRunning && !held.has(service)) {
              service.start();
              note(`${label} had exited; started again`);
            }
          }
        }, 1_000);
        timers.push(supervisor);
        const load = loader.run();
        const disruption = scenario.disrupt({
          services,
          seconds,
          operatorKey,
          until,
          note,
          hold: (service) => held.add(service),
          release: (service) => held.delete(service),
        });
        const [sent] = await Promise.all([load, disruption]);
        const loadEnded = performance.now();
        note(`load ended: every request answered or given up`);
        await eventually(
          async () => {
            const ready = await Promise.all(
              [...everyInstance()].map(async ([, s]) => {
                const res = await fetch(`${s.url}/health/ready`).catch(() => undefined);
                return res?.status === 200;
              }),
            );
            return ready.every(Boolean) ? true : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 500, what: 'every service ready after the chaos' },
        );
        clearInterval(supervisor);
        note('every service ready');

        // then, once the pipeline is idle (every acknowledged webhook delivered and no delivery
        // pending, so that late duplicates are counted too), or the drain time after the load is
        // up, or nothing has been delivered for a while, every acknowledged webhook is stored once
        // and delivered
        const acknowledged: number[] = [];
        for (let i = 0; i < sent.sent; i++) if (sent.status[i] === 200) acknowledged.push(i);
        const undelivered = () =>
          acknowledged.filter((i) => !receiver.perMessage.has(messageId(i)));
        const stuckMs = 45_000;
        let drained = false;
        let pending = -1;
        let lastDeliveries = -1;
        let lastProgressAt = performance.now();
        for (;;) {
          await receiver.flush();
          const now = performance.now();
          if (receiver.deliveries !== lastDeliveries) {
            lastDeliveries = receiver.deliveries;
            lastProgressAt = now;
          }
          if (undelivered().length === 0) {
            const rows = await postgres.query<{ n: string }>(
              `SELECT count(*) AS n FROM delivery.deliveries WHERE state = 'pending' AND NOT test`,
            );
            pending = Number(rows.rows[0]!.n);
            if (pending === 0) {
              drained = true;
              break;
            }
          }
          if (now - loadEnded > drainSeconds * 1000 || now - lastProgressAt > stuckMs) break;
          await sleep(1_000);
        }
        clearInterval(progress);
        clearInterval(watcher);
        const drainTook = (performance.now() - loadEnded) / 1000;
        note(
          drained
            ? 'idle'
            : performance.now() - lastProgressAt > stuckMs
              ? `nothing delivered for ${stuckMs / 1000} s; not idle`
              : `drain time (${drainSeconds} s after the load) up; not idle`,
        );
        const tally = await receiver.flush();

        const acknowledgedRawIds = acknowledged.map((i) => rawIds[i]);
        const stored = await postgres.query<{ id: string }>(
          'SELECT id FROM normalizer.raw_webhooks WHERE id = ANY($1::uuid[])',
          [acknowledgedRawIds],
        );
        const events = await postgres.query<{ message_id: string; n: string }>(
          `SELECT message_id, count(*) AS n FROM normalizer.canonical_events
          WHERE message_id = ANY($1::text[]) GROUP BY message_id`,
          [acknowledged.map(messageId)],
        );

        // Counting: every delivery that carried a chaos message id is either the first for its id
        // or a duplicate.
        const unique = receiver.perMessage.size;
        let duplicates = 0;
        let sameWebhookId = 0;
        for (const [id, n] of receiver.perMessage) {
          duplicates += n - 1;
          if (n > 1) sameWebhookId += n - receiver.webhookIds.get(id)!.size;
        }
        const lostIds = undelivered();
        const lost = lostIds.length;
        const count = (status: number) => countStatus(sent.status, status);
        const otherStatuses: Record<string, number> = {};
        // 503 (not stored) and 504 (Kafka failed the write, e.g. the broker went away with it in
        // flight) are ingress's documented refusals: not acknowledged, so the provider retries.
        // Anything else (a 500, a 4xx) is a bug.
        for (const s of sent.status) {
          if (s !== 200 && s !== 503 && s !== 504 && s !== NO_ANSWER)
            otherStatuses[s] = (otherStatuses[s] ?? 0) + 1;
        }
        const deliveredAcknowledged = acknowledged.length - lost;
        const lastNewSeconds = (receiver.lastNewAt - started) / 1000;
        const figures = {
          sent: sent.sent,
          acknowledged: acknowledged.length,
          status503: count(503),
          status504: count(504),
          noAnswer: count(NO_ANSWER),
          otherStatuses,
          stored: stored.rowCount ?? 0,
          events: events.rows.length,
          delivered: deliveredAcknowledged,
          deliveredNotAcknowledged: unique - deliveredAcknowledged,
          deliveries: receiver.deliveries,
          uniqueDelivered: unique,
          duplicates,
          duplicatesSameWebhookId: sameWebhookId,
          duplicateRatioPercent: receiver.deliveries ? (100 * duplicates) / receiver.deliveries : 0,
          lost,
          offeredRate: sent.sent / sent.sendSeconds,
          sendSeconds: sent.sendSeconds,
          generatorMaxLagMs: sent.maxLagMs,
          generatorLateOver100Ms: sent.lateOver100Ms,
          noAnswerErrors: sent.errors,
          deliveredRate: lastNewSeconds > 0 ? unique / lastNewSeconds : 0,
          peakDeliveredRate10s: receiver.peakRate(),
          deliveredRateDuringLoad:
            receiver.uniqueBy(started + sent.sendSeconds * 1000) / sent.sendSeconds,
          lastNewDeliverySeconds: lastNewSeconds,
          drained,
          drainSeconds: drainTook,
          wallSeconds: (performance.now() - suiteStarted) / 1000,
        };
        const retried = [...receiver.failedPerMessage.keys()];
        const retriedTwice = retried.filter((id) => (receiver.perMessage.get(id) ?? 0) > 1);
        const n = (x: number) => x.toLocaleString('en-US');
        const windows: string[] = [];
        const perWindow = 5 * rate;
        for (let from = 0; from < sent.sent; from += perWindow) {
          const to = Math.min(sent.sent, from + perWindow);
          const part = sent.status.subarray(from, to);
          windows.push(
            `${String(from / rate).padStart(4)}–${String(to / rate).padEnd(4)} s` +
              `  ${countStatus(part, 200)} / ${countStatus(part, 503)} / ${countStatus(part, NO_ANSWER)}`,
          );
        }
        const fixed = (x: number, digits = 1) => x.toFixed(digits);
        const lines = [
          `${scenario.name}: ${seconds} s at ${rate}/s offered, open loop, ${scenario.replicas} instance(s) of each service`,
          `  sent                          ${n(figures.sent)}`,
          `  acknowledged (200)            ${n(figures.acknowledged)}`,
          `  503s                          ${n(figures.status503)}`,
          `  504s                          ${n(figures.status504)}`,
          `  no answer                     ${n(figures.noAnswer)} ${JSON.stringify(sent.errors)}`,
          ...(Object.keys(otherStatuses).length
            ? [`  other statuses                ${JSON.stringify(otherStatuses)}`]
            : []),
          `  stored (raw, of acknowledged) ${n(figures.stored)}`,
          `  events (of acknowledged)      ${n(figures.events)}`,
          `  delivered (of acknowledged)   ${n(figures.delivered)}` +
            ` (+ ${n(figures.deliveredNotAcknowledged)} not acknowledged that got through)`,
          `  deliveries                    ${n(figures.deliveries)}` +
            ` = ${n(unique)} first + ${n(duplicates)} duplicates`,
          `  duplicates delivered          ${n(duplicates)}` +
            ` (${n(sameWebhookId)} again under the same webhook-id)`,
          `  duplicate ratio               ${fixed(figures.duplicateRatioPercent, 3)} % of deliveries` +
            ` (goal ≤ ${duplicateGoalPercent} %${figures.duplicateRatioPercent <= duplicateGoalPercent ? ', met' : ', NOT met'})`,
          ...(scenario.failFirstEvery
            ? [
                `  retried (first attempt 500)   ${n(retried.length)} messages;` +
                  ` ${n(retriedTwice.length)} of them delivered more than once after the retry`,
              ]
            : []),
          `  lost                          ${n(lost)}`,
          `  offered rate                  ${fixed(figures.offeredRate)}/s over ${fixed(sent.sendSeconds)} s` +
            ` (generator at worst ${fixed(sent.maxLagMs)} ms late, ${n(sent.lateOver100Ms)} requests > 100 ms late)`,
          `  delivered rate                ${fixed(figures.deliveredRate)}/s` +
            ` (unique ids from the first send to the last new id at ${fixed(lastNewSeconds)} s);` +
            ` ${fixed(figures.deliveredRateDuringLoad)}/s during the load;` +
            ` ${fixed(figures.peakDeliveredRate10s)}/s at best over 10 s`,
          `  drain                         ${drained ? 'idle' : 'NOT idle'} ${fixed(drainTook)} s after the load`,
          `  wall                          ${fixed(figures.wallSeconds)} s so far`,
          `answers by when the request was due (acknowledged / 503 / no answer):`,
          ...windows.map((w) => `  ${w}`),
          `timeline (s from the first request):`,
          ...timeline.map((line) => `  ${line}`),
        ];
        process.stdout.write(`\n${lines.join('\n')}\n`);

        if (lost > 0) {
          const where = await whereLost(
            postgres,
            lostIds.map(messageId),
            rawIdsOf,
            receiver,
            drained,
          );
          process.stdout.write(where);
        }
        const logDir = join(repoRoot(), '.local', 'logs', 'chaos', scenario.slug);
        mkdirSync(logDir, { recursive: true });
        for (const [label, service] of everyInstance()) {
          writeFileSync(join(logDir, `${label.replace('#', '-')}.log`), service.logs);
        }
        process.stdout.write(`service logs of this run: ${logDir}\n`);
        const reportFile = scenario.reportFile;
        if (reportFile) {
          const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot() })
            .toString()
            .trim();
          writeFileSync(
            reportFile,
            `${JSON.stringify({ date: new Date().toISOString(), commit, rate, seconds, ...figures, answers: windows, timeline }, null, 2)}\n`,
          );
        }

        expect(lost).toBe(0);
        expect(stored.rowCount).toBe(acknowledged.length);
        expect(events.rows).toHaveLength(acknowledged.length);
        expect(events.rows.filter((r) => r.n !== '1')).toEqual([]);
        // Every delivery is counted once: as the first for its message id or as a duplicate, and
        // every request the receiver answered is one of them (or carried no chaos id: the test event).
        expect(receiver.deliveries).toBe(unique + duplicates);
        expect(tally.requests).toBe(
          receiver.deliveries + receiver.failedAttempts + tally.withoutId,
        );
        // The load went through for a good part of the run (not all of it where ingress is down for
        // a while, or the broker restarts).
        expect(acknowledged.length).toBeGreaterThan(sent.sent * scenario.minAcknowledgedShare);
        // A retried delivery was attempted again by one instance only: its message reached the
        // receiver once after the refused attempt, not twice.
        expect(retriedTwice).toEqual([]);
        await scenario.check?.({ postgres, figures, prefix, sentErrors: sent.errors });
        expect(otherStatuses).toEqual({});

        function rawIdsOf(ids: string[]): string[] {
          const byMessage = new Map(acknowledged.map((i) => [messageId(i), rawIds[i]]));
          return ids.map((id) => byMessage.get(id) ?? '');
        }
      },
      (seconds + drainSeconds + 300) * 1000,
    );
  });
}

function countStatus(status: Int16Array, wanted: number): number {
  let n = 0;
  for (const s of status) if (s === wanted) n++;
  return n;
}

/**
 * For acknowledged webhooks that were never delivered: how far each got. Its raw webhook in the
 * audit log (else ingress acknowledged what the normalizer never stored), its canonical event
 * (else the normalizer stored the raw webhook but no event), its delivery row and state (else
 * delivery never consumed the event).
 */
async function whereLost(
  db: Client,
  ids: string[],
  rawIdsOf: (ids: string[]) => string[],
  receiver: DeliveryCounter,
  drained: boolean,
): Promise<string> {
  const rawIds = rawIdsOf(ids);
  const raws = await db.query<{ id: string; outcome: string }>(
    'SELECT id, outcome FROM normalizer.raw_webhooks WHERE id = ANY($1::uuid[])',
    [rawIds.filter(Boolean)],
  );
  const events = await db.query<{ id: string; message_id: string }>(
    'SELECT id, message_id FROM normalizer.canonical_events WHERE message_id = ANY($1::text[])',
    [ids],
  );
  const deliveries = await db.query<{
    event_id: string;
    state: string;
    attempts: number;
    next_attempt_at: Date | null;
    last_status_code: number | null;
    last_error: string | null;
  }>(
    `SELECT event_id, state, attempts, next_attempt_at, last_status_code, last_error
       FROM delivery.deliveries WHERE event_id = ANY($1::text[])`,
    [events.rows.map((e) => e.id)],
  );
  // After the database was read: a delivery it shows succeeded has reached the receiver (which
  // records a request before answering it), so counted now it is either seen or truly missing.
  await receiver.flush();
  const raw = new Map(raws.rows.map((r) => [r.id, r.outcome]));
  const event = new Map(events.rows.map((e) => [e.message_id, e.id]));
  const delivery = new Map(deliveries.rows.map((d) => [d.event_id, d]));
  const stages: Record<string, number> = {};
  const examples: string[] = [];
  ids.forEach((id, k) => {
    const eventId = event.get(id);
    const row = eventId ? delivery.get(eventId) : undefined;
    const stage = receiver.perMessage.has(id)
      ? 'delivered after the drain ended'
      : !raw.has(rawIds[k]!)
        ? 'no raw webhook stored'
        : !eventId
          ? `raw stored (${raw.get(rawIds[k]!)}), no canonical event`
          : !row
            ? 'event stored, no delivery row'
            : `delivery ${row.state}`;
    stages[stage] = (stages[stage] ?? 0) + 1;
    if (stages[stage] <= 3) {
      examples.push(
        `  ${id} raw ${rawIds[k]} event ${eventId ?? '-'}: ${stage}` +
          (row
            ? ` (attempts ${row.attempts}, next ${row.next_attempt_at?.toISOString() ?? '-'},` +
              ` last ${row.last_status_code ?? '-'} ${row.last_error ?? ''})`
            : ''),
      );
    }
  });
  return (
    `lost (${drained ? 'the pipeline was idle' : 'the pipeline was NOT idle: some may still have been on their way'}),` +
    ` by how far they got: ${JSON.stringify(stages)}\n${examples.join('\n')}\n`
  );
}

/**
 * Signed Meta webhooks made from one body: `placeholder` (once in it) becomes request i's message
 * id `messageId(i)`, so that a request costs one byte copy and one HMAC.
 */
function signedWebhooks(
  template: string,
  placeholder: string,
  messageId: (i: number) => string,
  appSecret: string,
): (i: number) => OpenLoopRequest {
  const at = template.indexOf(placeholder);
  if (at < 0 || template.indexOf(placeholder, at + 1) >= 0) {
    throw new Error('the placeholder must occur exactly once in the template');
  }
  const head = Buffer.from(template.slice(0, at));
  const tail = Buffer.from(template.slice(at + placeholder.length));
  return (i) => {
    const id = Buffer.from(messageId(i), 'latin1');
    const body = Buffer.concat([head, id, tail], head.length + id.length + tail.length);
    const signature = createHmac('sha256', appSecret).update(body).digest('hex');
    return {
      body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
    };
  };
}
