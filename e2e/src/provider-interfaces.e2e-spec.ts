import { randomUUID } from 'node:crypto';
import { credentials, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fixtureJson } from '@switchboard/fixtures';
import { eventually, freePort, TestReceiver } from '@switchboard/testing';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { allServices, hooksPath, startReceiver, useStack } from './stack';

type MetaPayload = {
  entry: { changes: { value: { messages: { id: string }[] } }[] }[];
};

/**
 * The providers' own interfaces, through the built services: Cunnekt calling with a static token
 * (sandbox and production apart), a body labelled with a content type other than JSON's, a
 * Connectly client registering with Connectly's call, and a gRPC health check with the health
 * proto alone.
 */
describe('provider interfaces end to end (built services, real Kafka and PostgreSQL)', () => {
  const stack = useStack('providers');
  let grpcPort: number;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    grpcPort = await freePort();
    await stack.start(allServices, { grpcPort });
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  const { admin } = stack;

  /** A Cunnekt channel webhook (Meta's format) with a message id of its own. */
  function channelWebhook(fixture: string, wamid: string): Buffer {
    const payload = fixtureJson<MetaPayload>(fixture);
    payload.entry[0]!.changes[0]!.value.messages[0]!.id = wamid;
    return Buffer.from(JSON.stringify(payload));
  }

  it('takes Cunnekt webhooks by token, sandbox apart from production, and delivers them to a Connectly-registered endpoint', async () => {
    // given a business whose endpoint registered for messages with Connectly's call, as written
    const { businessId, key, base } = await stack.createBusiness('Cunnekt Retail');
    const registered = await admin<{ id: string }>('POST', `${base}/create/webhooks`, key, {
      topic: 'messages',
      address: receiver.url(hooksPath),
      type: 'webhook_type_unspecified',
      configuration: {
        echo: true,
        channelTypes: [],
        webengageConfiguration: {
          webengageToken: 'webengage-e2e-token',
          webengageWebhookUrl: 'https://st.webengage.com/tracking/events',
        },
        filters: [],
      },
    });
    expect(registered).toEqual({ status: 201, body: { id: expect.stringMatching(/^sub_/) } });

    // and Cunnekt channel sources for its sandbox and its production account
    type Created = { id: string; webhookUrl: string; secret: { value: string } };
    // (the sandbox one with one URL for channel webhooks and platform events, Cunnekt's default)
    const sandbox = await admin<Created>('POST', `${base}/sources`, key, {
      provider: 'cunnekt',
      environment: 'sandbox',
    });
    const production = await admin<Created>('POST', `${base}/sources`, key, {
      provider: 'cunnekt',
      events: 'channel',
      environment: 'production',
    });
    expect([sandbox.status, production.status]).toEqual([201, 201]);
    const bearer = (s: Created) => ({ authorization: `Bearer ${s.secret.value}` });
    const post = (s: Created, body: Buffer, headers: Record<string, string>) =>
      fetch(s.webhookUrl, { method: 'POST', headers, body });

    // (once ingress knows both sources, a request without a token is refused for it)
    const json = { 'content-type': 'application/json' };
    const probe = Buffer.from('{}');
    await eventually(
      async () =>
        (await post(sandbox.body, probe, json)).status === 401 &&
        (await post(production.body, probe, json)).status === 401
          ? true
          : undefined,
      { timeoutMs: 30_000, what: 'ingress to know the Cunnekt sources' },
    );

    // when the sandbox token is sent to the production source, then it is refused
    const crossedId = `wamid.e2e-crossed-${randomUUID()}`;
    const crossed = await post(
      production.body,
      channelWebhook('cunnekt/sandbox-text-message.json', crossedId),
      { ...json, ...bearer(sandbox.body) },
    );
    expect(crossed.status).toBe(401);

    // when Cunnekt sends a sandbox message with the sandbox token, labelled application/octet-stream
    const wamid = `wamid.e2e-cunnekt-${randomUUID()}`;
    const sent = await post(
      sandbox.body,
      channelWebhook('cunnekt/sandbox-text-message.json', wamid),
      { 'content-type': 'application/octet-stream', ...bearer(sandbox.body) },
    );
    expect(sent.status).toBe(200);

    // then the endpoint registered with Connectly's call receives it as a sandbox event
    const delivered = await eventually(
      () => receiver.requests.find((r) => r.body.includes(wamid)),
      { timeoutMs: 30_000, what: 'the Cunnekt message at the subscriber' },
    );
    expect(JSON.parse(delivered.body)).toMatchObject({
      type: 'whatsapp.message.received',
      businessid: businessId,
      environment: 'sandbox',
      topic: 'messages',
    });
    // and the refused one never arrives
    expect(receiver.requests.some((r) => r.body.includes(crossedId))).toBe(false);

    // when a platform event comes to the same URL, for a platform subscription
    const platform = await admin<{ id: string }>('POST', `${base}/create/webhooks`, key, {
      topic: 'platform',
      address: receiver.url(hooksPath),
    });
    expect(platform.status).toBe(201);
    const conversation = `cnv_e2e_${randomUUID()}`;
    const event = fixtureJson<{ data: { conversation_id: string } }>(
      'cunnekt/platform-conversation-assigned.json',
    );
    event.data.conversation_id = conversation;
    // (a test delivery succeeds once delivery knows the subscription)
    await eventually(
      async () => {
        const test = await admin<{ outcome: string }>(
          'POST',
          `${base}/webhooks/platform/test`,
          key,
        );
        return test.status === 200 && test.body.outcome === 'succeeded' ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'delivery to know the platform subscription' },
    );
    const sentEvent = await post(sandbox.body, Buffer.from(JSON.stringify(event)), {
      ...json,
      ...bearer(sandbox.body),
    });
    expect(sentEvent.status).toBe(200);

    // then it is delivered as a platform event of the sandbox
    const platformDelivered = await eventually(
      () => receiver.requests.find((r) => r.body.includes(conversation)),
      { timeoutMs: 30_000, what: 'the platform event at the subscriber' },
    );
    expect(JSON.parse(platformDelivered.body)).toMatchObject({
      topic: 'platform',
      environment: 'sandbox',
      businessid: businessId,
    });

    // and a verified body that is not JSON is refused with 415
    const xml = await post(sandbox.body, Buffer.from('<message>hi</message>'), {
      'content-type': 'application/xml',
      ...bearer(sandbox.body),
    });
    expect(xml.status).toBe(415);
    expect(await xml.json()).toEqual({
      error: { code: 'unsupported_media_type', message: expect.any(String) },
    });
  });

  it('answers grpc.health.v1.Health/Check to a client with only the health proto', async () => {
    const pkg = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: new (address: string, creds: unknown) => HealthClient } } };
    };
    interface HealthClient {
      check(
        request: { service: string },
        callback: (err: ServiceError | null, response: { status: string }) => void,
      ): void;
      close(): void;
    }
    const client = new pkg.grpc.health.v1.Health(
      `127.0.0.1:${grpcPort}`,
      credentials.createInsecure(),
    );
    try {
      const status = await new Promise<{ status: string }>((resolve, reject) =>
        client.check({ service: '' }, (err, res) => (err ? reject(err) : resolve(res))),
      );
      expect(status).toEqual({ status: 'SERVING' });
    } finally {
      client.close();
    }
  });
});
