import { createHmac, randomUUID } from 'node:crypto';
import { fixtureJson } from '@switchboard/fixtures';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  eventually,
  localBroker,
  testKafka,
  testKafkaBrokers,
  type TestDatabase,
  uniqueName,
} from '@switchboard/testing';
import { Client } from 'pg';
import { adminCall } from '../admin-client';
import { startReceiver, type Receiver } from '../receiver';
import { freePort, type ServiceName, ServiceProcess } from '../service-process';

const seconds = Number(process.env.CHAOS_SECONDS ?? 60);
const rate = Number(process.env.CHAOS_RATE ?? 20);
const appSecret = 'chaos-meta-app-secret';

interface Sent {
  wamid: string;
  status: number | 'no answer';
  rawId?: string;
}

/**
 * The crash suite: steady signed webhooks for a minute while every service is SIGKILLed and
 * restarted in turn and the broker restarts once; then, once idle, nothing acknowledged is lost.
 */
describe('crash suite: SIGKILL every service and restart the broker under load', () => {
  const prefix = `${uniqueName('chaos')}.`;
  const operatorKey = `op_${randomUUID()}`;
  const services = new Map<ServiceName, ServiceProcess>();
  let database: TestDatabase;
  let receiver: Receiver;

  beforeAll(async () => {
    localBroker.assertControllable();
    database = await createTestDatabase('chaos');
    receiver = await startReceiver();
    const ingressPort = await freePort();
    for (const name of ['ingress', 'normalizer', 'subscriptions', 'delivery'] as const) {
      const service = new ServiceProcess(
        name,
        name === 'ingress' ? ingressPort : await freePort(),
        {
          KAFKA_BROKERS: testKafkaBrokers().join(','),
          KAFKA_TOPIC_PREFIX: prefix,
          DATABASE_URL: database.url,
          LOG_LEVEL: 'warn',
          OPERATOR_API_KEY: operatorKey,
          PUBLIC_INGRESS_URL: `http://127.0.0.1:${ingressPort}`,
          ALLOW_HTTP_ADDRESSES: 'true',
          ADDRESS_ALLOWLIST: '127.0.0.1/32',
          GRPC_PORT: String(await freePort()),
          // Attempts cut short by a kill come due again after their lease: keep it short here.
          DELIVERY_TIMEOUT_MS: '2000',
          KAFKA_ACK_TIMEOUT_MS: '2000',
        },
      );
      services.set(name, service);
      service.start();
    }
    await Promise.all([...services.values()].map((s) => s.waitReady(90_000)));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop('SIGTERM')));
    await receiver?.close();
    await database?.drop();
    await deleteTopicsWithPrefix(testKafka(), prefix);
  }, 120_000);

  it('loses nothing that was acknowledged', async () => {
    // given a business with a Meta source and a subscription to the messages topic
    const subscriptions = services.get('subscriptions')!;
    const admin = <T>(method: string, path: string, auth: Record<string, string>, body?: unknown) =>
      adminCall<T>(subscriptions.url, method, path, auth, body);
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
      {
        provider: 'meta',
        appSecret,
      },
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
    const test = await admin<{ outcome: string }>('POST', `${base}/webhooks/messages/test`, key);
    expect(test.body.outcome).toBe('succeeded');

    // when webhooks arrive steadily while services are killed and the broker restarts
    const sent: Sent[] = [];
    const template = fixtureJson<{
      entry: { changes: { value: { messages: { id: string }[] } }[] }[];
    }>('meta/text-message.json');
    const post = async (): Promise<void> => {
      const wamid = `wamid.chaos-${randomUUID()}`;
      template.entry[0]!.changes[0]!.value.messages[0]!.id = wamid;
      const body = Buffer.from(JSON.stringify(template));
      const signature = createHmac('sha256', appSecret).update(body).digest('hex');
      const entry: Sent = { wamid, status: 'no answer' };
      sent.push(entry);
      try {
        const res = await fetch(source.body.webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': `sha256=${signature}`,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        entry.status = res.status;
        if (res.status === 200) entry.rawId = ((await res.json()) as { id: string }).id;
      } catch {
        entry.status = 'no answer';
      }
    };
    const inFlight: Promise<void>[] = [];
    const driver = setInterval(() => inFlight.push(post()), 1000 / rate);
    // As an orchestrator would: a service that exits (e.g. it started while the broker was
    // down) is started again.
    const supervisor = setInterval(() => {
      for (const service of services.values()) if (!service.isRunning) service.start();
    }, 1_000);
    const victims: ServiceName[] = [
      'normalizer',
      'delivery',
      'ingress',
      'subscriptions',
      'normalizer',
      'delivery',
      'ingress',
      'subscriptions',
    ];
    const step = (seconds * 1000) / (victims.length + 2);
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (const [i, victim] of victims.entries()) {
      await pause(step);
      const service = services.get(victim)!;
      await service.stop('SIGKILL');
      service.start();
      if (i === Math.floor(victims.length / 2)) {
        await localBroker.stop();
        await localBroker.start();
      }
    }
    await pause(step * 2);
    clearInterval(driver);
    await Promise.all(inFlight);
    await eventually(
      async () => {
        const ready = await Promise.all(
          [...services.values()].map(async (s) => {
            const res = await fetch(`${s.url}/health/ready`).catch(() => undefined);
            return res?.status === 200;
          }),
        );
        return ready.every(Boolean) ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'every service ready after the chaos' },
    );
    clearInterval(supervisor);

    // then, once the pipeline is idle, every acknowledged webhook is stored once and delivered
    const acknowledged = sent.filter((s) => s.status === 200);
    const delivered = () =>
      new Set(receiver.received.flatMap((r) => r.body.match(/wamid\.chaos-[0-9a-f-]{36}/g) ?? []));
    await eventually(
      () => (acknowledged.every((s) => delivered().has(s.wamid)) ? true : undefined),
      { timeoutMs: 240_000, intervalMs: 1_000, what: 'every acknowledged webhook delivered' },
    ).catch(() => undefined);
    const db = new Client({ connectionString: database.url });
    await db.connect();
    const stored = await db.query<{ id: string }>(
      'SELECT id FROM normalizer.raw_webhooks WHERE id = ANY($1::uuid[])',
      [acknowledged.map((s) => s.rawId)],
    );
    const events = await db.query<{ message_id: string; n: string }>(
      `SELECT message_id, count(*) AS n FROM normalizer.canonical_events
        WHERE message_id = ANY($1::text[]) GROUP BY message_id`,
      [acknowledged.map((s) => s.wamid)],
    );
    await db.end();
    const seen = delivered();
    const deliveriesPerMessage = new Map<string, number>();
    for (const r of receiver.received) {
      for (const w of r.body.match(/wamid\.chaos-[0-9a-f-]{36}/g) ?? []) {
        deliveriesPerMessage.set(w, (deliveriesPerMessage.get(w) ?? 0) + 1);
      }
    }
    const lost = acknowledged.filter((s) => !seen.has(s.wamid)).length;
    const counts = {
      sent: sent.length,
      acknowledged: acknowledged.length,
      '503s': sent.filter((s) => s.status === 503).length,
      'no answer (ingress down)': sent.filter((s) => s.status === 'no answer').length,
      stored: stored.rowCount,
      delivered: acknowledged.filter((s) => seen.has(s.wamid)).length,
      'duplicate deliveries': [...deliveriesPerMessage.values()].reduce((sum, n) => sum + n - 1, 0),
      lost,
      statuses: Object.fromEntries(
        [...new Set(sent.map((s) => String(s.status)))].map((status) => [
          status,
          sent.filter((s) => String(s.status) === status).length,
        ]),
      ),
    };
    process.stdout.write(
      `\ncrash suite (${seconds} s at ${rate}/s): ${JSON.stringify(counts, null, 2)}\n`,
    );

    expect(acknowledged.length).toBeGreaterThan(seconds * rate * 0.5);
    expect(stored.rowCount).toBe(acknowledged.length);
    expect(events.rows).toHaveLength(acknowledged.length);
    expect(events.rows.every((r) => r.n === '1')).toBe(true);
    expect(lost).toBe(0);
    expect(
      sent.every((s) => s.status === 200 || s.status === 503 || s.status === 'no answer'),
    ).toBe(true);
  }, 600_000);
});
