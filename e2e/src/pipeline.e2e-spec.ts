import { createHmac, randomUUID } from 'node:crypto';
import { fixtureJson } from '@switchboard/fixtures';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  eventually,
  type TestDatabase,
  testKafka,
  testKafkaBrokers,
  uniqueName,
} from '@switchboard/testing';
import { Webhook } from 'standardwebhooks';
import { adminCall } from './admin-client';
import { startReceiver, type Receiver } from './receiver';
import { freePort, type ServiceName, ServiceProcess } from './service-process';

describe('Switchboard end to end: provider → ingress → normalizer → delivery → subscriber', () => {
  const prefix = `${uniqueName('e2e-pipeline')}.`;
  const operatorKey = `op_${randomUUID()}`;
  const services = new Map<ServiceName, ServiceProcess>();
  let database: TestDatabase;
  let receiver: Receiver;

  beforeAll(async () => {
    database = await createTestDatabase('e2e_pipeline');
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
          // The subscriber runs on this machine: an operator allowlist lets both services reach it.
          ALLOW_HTTP_ADDRESSES: 'true',
          ADDRESS_ALLOWLIST: '127.0.0.1/32',
          GRPC_PORT: String(await freePort()),
        },
      );
      services.set(name, service);
      service.start();
    }
    await Promise.all([...services.values()].map((s) => s.waitReady()));
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop('SIGTERM')));
    await receiver?.close();
    await database?.drop();
    await deleteTopicsWithPrefix(testKafka(), prefix);
  });

  function admin<T>(method: string, path: string, auth: Record<string, string>, body?: unknown) {
    return adminCall<T>(services.get('subscriptions')!.url, method, path, auth, body);
  }

  it('delivers a signed Meta webhook to the subscriber as a verified CloudEvent, logged once', async () => {
    // given a business with a Meta source and a subscription to the messages topic
    const business = await admin<{ id: string; apiKey: { key: string } }>(
      'POST',
      '/v1/businesses',
      { authorization: `Bearer ${operatorKey}` },
      { name: 'Acme Shoes' },
    );
    expect(business.status).toBe(201);
    const key = { 'x-api-key': business.body.apiKey.key };
    const base = `/v1/businesses/${business.body.id}`;
    const source = await admin<{ id: string; webhookUrl: string; verifyToken: string }>(
      'POST',
      `${base}/sources`,
      key,
      {
        provider: 'meta',
        appSecret: 'e2e-meta-app-secret',
        externalIds: { wabaIds: ['102290129340398'], phoneNumberIds: ['106540352242922'] },
      },
    );
    expect(source.status).toBe(201);
    const webhook = await admin<{ secret: { value: string } }>('POST', `${base}/webhooks`, key, {
      topic: 'messages',
      address: receiver.url,
      configuration: {},
    });
    expect(webhook.status).toBe(201);

    // and ingress knows the source (its handshake answers) and delivery knows the subscription
    await eventually(
      async () => {
        const url = `${source.body.webhookUrl}?hub.mode=subscribe&hub.verify_token=${source.body.verifyToken}&hub.challenge=ready`;
        return (await fetch(url)).status === 200 ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'ingress to know the source' },
    );
    // (a test delivery goes through the real delivery path and the call reports its outcome)
    const test = await admin<{ outcome: string; statusCode: number }>(
      'POST',
      `${base}/webhooks/messages/test`,
      key,
    );
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ outcome: 'succeeded', statusCode: 200 });
    expect(receiver.received.some((r) => r.body.includes('"webhook.test"'))).toBe(true);

    // when Meta posts a signed webhook with a new message
    const wamid = `wamid.e2e-${randomUUID()}`;
    const payload = fixtureJson<{
      entry: { changes: { value: { messages: { id: string }[] } }[] }[];
    }>('meta/text-message.json');
    payload.entry[0]!.changes[0]!.value.messages[0]!.id = wamid;
    const body = Buffer.from(JSON.stringify(payload));
    const signature = createHmac('sha256', 'e2e-meta-app-secret').update(body).digest('hex');
    const posted = await fetch(source.body.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
      body,
    });
    expect(posted.status).toBe(200);

    // then the subscriber receives the canonical event, signed so that standardwebhooks verifies it
    const delivered = await eventually(
      () => receiver.received.find((r) => r.body.includes(wamid)),
      {
        timeoutMs: 30_000,
        what: 'the message at the subscriber',
      },
    );
    const verified = new Webhook(webhook.body.secret.value).verify(
      delivered.body,
      delivered.headers as Record<string, string>,
    ) as { id: string; type: string; businessid: string; topic: string; data: unknown };
    expect(verified).toMatchObject({
      type: 'whatsapp.message.received',
      businessid: business.body.id,
      topic: 'messages',
      specversion: '1.0',
    });
    expect(delivered.headers['user-agent']).toBe('Switchboard-Webhook/1.0');

    // and it is in the audit log once, and in the delivery log once, as succeeded
    const events = await admin<{ items: { id: string }[] }>(
      'GET',
      `${base}/events?messageId=${encodeURIComponent(wamid)}`,
      key,
    );
    expect(events.status).toBe(200);
    expect(events.body.items.map((e) => e.id)).toEqual([verified.id]);
    const deliveries = await eventually(
      async () => {
        const list = await admin<{ items: { eventId: string; outcome: string }[] }>(
          'GET',
          `${base}/deliveries`,
          key,
        );
        const mine = list.body.items.filter((d) => d.eventId === verified.id);
        return mine.length > 0 && mine.every((d) => d.outcome === 'succeeded') ? mine : undefined;
      },
      { timeoutMs: 30_000, what: 'the delivery log entry' },
    );
    expect(deliveries).toHaveLength(1);
    expect(receiver.received.filter((r) => r.body.includes(wamid))).toHaveLength(1);
  });
});
