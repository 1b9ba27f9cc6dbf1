import { createHash, createHmac, randomUUID } from 'node:crypto';
import { fixtureJson, metaChangeBody, metaStatuses, readFixture } from '@switchboard/fixtures';
import { eventually, testKafka, TestReceiver } from '@switchboard/testing';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { metaSignature, postMetaMessage, postUntilTaken } from './meta-business';
import { allServices, hooksPath, startReceiver, useStack } from './stack';

describe('Switchboard end to end: provider → ingress → normalizer → delivery → subscriber', () => {
  const stack = useStack('pipeline');
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    await stack.start(allServices);
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  const { admin } = stack;

  it('delivers a signed Meta webhook to the subscriber as a verified CloudEvent, logged once', async () => {
    // given a business with a Meta source and a subscription to the messages topic
    const { key, base, source, webhook, businessId } = await stack.createMetaBusiness({
      name: 'Acme Shoes',
      appSecret: 'e2e-meta-app-secret',
      address: receiver.url(hooksPath),
    });
    // (a test delivery goes through the real delivery path and the call reports its outcome)
    const test = await admin<{ outcome: string; statusCode: number }>(
      'POST',
      `${base}/webhooks/messages/test`,
      key,
    );
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ outcome: 'succeeded', statusCode: 200 });
    expect(receiver.requests.some((r) => r.body.includes('"webhook.test"'))).toBe(true);

    // when Meta posts a signed webhook with a new message
    const { wamid, status } = await postMetaMessage(source.webhookUrl, 'e2e-meta-app-secret');
    expect(status).toBe(200);

    // then the subscriber receives the canonical event, signed so that standardwebhooks verifies it
    const delivered = await eventually(
      () => receiver.requests.find((r) => r.body.includes(wamid)),
      {
        timeoutMs: 30_000,
        what: 'the message at the subscriber',
      },
    );
    const verified = new Webhook(webhook.secret.value).verify(
      delivered.body,
      delivered.headers as Record<string, string>,
    ) as { id: string; type: string; businessid: string; topic: string; data: unknown };
    expect(verified).toMatchObject({
      type: 'whatsapp.message.received',
      businessid: businessId,
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
    expect(receiver.requests.filter((r) => r.body.includes(wamid))).toHaveLength(1);
  });
  /** A new business with one source of a provider; its base path, API key header and source. */
  async function businessWithSource(name: string, source: Record<string, unknown>) {
    const { businessId, key, base } = await stack.createBusiness(name);
    const created = await admin<{ id: string; webhookUrl: string }>(
      'POST',
      `${base}/sources`,
      key,
      source,
    );
    expect(created.status).toBe(201);
    return { base, key, webhookUrl: created.body.webhookUrl, businessId };
  }

  /** Sends a test delivery until delivery knows the subscription and the subscriber answers. */
  async function subscriptionReady(base: string, key: Record<string, string>, topic: string) {
    await eventually(
      async () => {
        const test = await admin<{ outcome: string }>(
          'POST',
          `${base}/webhooks/${topic}/test`,
          key,
        );
        return test.status === 200 && test.body.outcome === 'succeeded' ? true : undefined;
      },
      { timeoutMs: 30_000, what: `the ${topic} subscription` },
    );
  }

  /** A business with a Meta source and a delivery_status subscription delivery already knows. */
  async function metaStatusSubscriber(name: string, appSecret: string) {
    const business = await businessWithSource(name, { provider: 'meta', appSecret });
    const webhook = await admin('POST', `${business.base}/webhooks`, business.key, {
      topic: 'delivery_status',
      address: receiver.url(hooksPath),
      configuration: {},
    });
    expect(webhook.status).toBe(201);
    await subscriptionReady(business.base, business.key, 'delivery_status');
    return business;
  }

  it('delivers every good status of a Meta batch with one malformed status, which alone is held back', async () => {
    // given a business subscribed to delivery_status, with a Meta source
    const appSecret = 'e2e-meta-batch-secret';
    const { base, key, webhookUrl } = await metaStatusSubscriber('Acme Batches', appSecret);

    // when Meta posts four statuses, the third with a timestamp that is not a time
    const marker = randomUUID();
    const body = Buffer.from(
      readFixture('meta/statuses-batch-one-malformed.json')
        .toString('utf8')
        .replace(/wamid\.HBgLMTY1MDUwNzY1MjAVAgARGBJCQVRDSDAw/g, `wamid.${marker}-`),
    );
    await postUntilTaken(webhookUrl, body, metaSignature(appSecret, body));

    // then the three good statuses reach the subscriber, and the malformed one does not
    const mine = () => receiver.requests.filter((r) => r.body.includes(`wamid.${marker}-`));
    await eventually(() => (mine().length >= 3 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'three statuses at the subscriber',
    });
    const ids = mine()
      .map((r) => (JSON.parse(r.body) as { data: { messageId: string } }).data.messageId)
      .sort();
    expect(ids).toEqual([`wamid.${marker}-0`, `wamid.${marker}-1`, `wamid.${marker}-3`]);

    // and the audit log holds the three events, none for the malformed status
    const logged = await admin<{ items: { id: string }[] }>(
      'GET',
      `${base}/events?messageId=${encodeURIComponent(`wamid.${marker}-2`)}`,
      key,
    );
    expect(logged.status).toBe(200);
    expect(logged.body.items).toEqual([]);
    // and it records the webhook as partial, with the one dead letter and where it is in the body
    const client = new Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ outcome: string; pointer: string }>(
        `SELECT r.outcome, d.dead_letter->>'pointer' AS pointer
           FROM normalizer.raw_webhooks r
           JOIN normalizer.dead_letters d ON d.raw_id = r.id::text
          WHERE r.body_sha256 = $1`,
        [createHash('sha256').update(body).digest('hex')],
      );
      expect(rows).toEqual([
        { outcome: 'partial', pointer: '/entry/0/changes/0/value/statuses/2' },
      ]);
    } finally {
      await client.end();
    }
  });

  it('delivers every status of a Meta batch over the bulk size, read through the bulk lane', async () => {
    // given a business subscribed to delivery_status, with a Meta source
    const appSecret = 'e2e-meta-bulk-secret';
    const { webhookUrl } = await metaStatusSubscriber('Acme Campaigns', appSecret);

    // when Meta posts one webhook of 600 statuses, over ingress's 128 KiB bulk size
    const marker = randomUUID();
    const body = Buffer.from(
      metaChangeBody({
        statuses: metaStatuses(600, marker).map((status) => ({
          ...status,
          conversation: { id: `conv-${marker}`, origin: { type: 'marketing' } },
          pricing: { billable: true, pricing_model: 'CBP', category: 'marketing' },
        })),
      }),
    );
    expect(body.length).toBeGreaterThan(128 * 1024);
    await postUntilTaken(webhookUrl, body, metaSignature(appSecret, body));

    // then every status reaches the subscriber, once
    const mine = () => receiver.requests.filter((r) => r.body.includes(`wamid.${marker}-`));
    await eventually(() => (mine().length >= 600 ? true : undefined), {
      timeoutMs: 60_000,
      what: '600 statuses at the subscriber',
    });
    const ids = new Set(
      mine().map((r) => (JSON.parse(r.body) as { data: { messageId: string } }).data.messageId),
    );
    expect(ids.size).toBe(600);
    expect(mine()).toHaveLength(600);

    // and the webhook went over the bulk raw topic, not the raw topic
    const admin2 = testKafka().admin();
    await admin2.connect();
    try {
      const ends = await admin2.fetchTopicOffsets(`${stack.prefix}switchboard.inbound.raw.bulk.v1`);
      expect(ends.reduce((n, p) => n + Number(p.high), 0)).toBe(1);
    } finally {
      await admin2.disconnect();
    }
    // and the audit log holds it once, normalized, with its 600 events
    const client = new Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ outcome: string; events: string }>(
        `SELECT r.outcome, (SELECT count(*) FROM normalizer.canonical_events e WHERE e.raw_id = r.id) AS events
           FROM normalizer.raw_webhooks r WHERE r.body_sha256 = $1`,
        [createHash('sha256').update(body).digest('hex')],
      );
      expect(rows).toEqual([{ outcome: 'normalized', events: '600' }]);
    } finally {
      await client.end();
    }
  });

  it('delivers a Connectly SMS message to an SMS subscription, with every field Connectly sent', async () => {
    // given a business with a Connectly source and a messages subscription for SMS only
    const secret = 'e2e-connectly-secret-0123456789';
    const { base, key, webhookUrl } = await businessWithSource('Acme SMS', {
      provider: 'connectly',
      secret,
    });
    const webhook = await admin('POST', `${base}/webhooks`, key, {
      topic: 'messages',
      address: receiver.url(hooksPath),
      configuration: { channelTypes: ['sms'] },
    });
    expect(webhook.status).toBe(201);
    await subscriptionReady(base, key, 'messages');
    const sign = (body: Buffer) => ({
      'x-connectly-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    });

    // when Connectly posts a WhatsApp message, then an SMS one
    const marker = randomUUID();
    const whatsapp = fixtureJson<{ message: { text: string } }>('connectly/message-text.json');
    whatsapp.message.text = `whatsapp ${marker}`;
    const whatsappBody = Buffer.from(JSON.stringify(whatsapp));
    await postUntilTaken(webhookUrl, whatsappBody, sign(whatsappBody));
    const sms = fixtureJson<{ message: { text: string }; metadata: Record<string, unknown> }>(
      'connectly/sms-message-with-extras.json',
    );
    sms.message.text = `sms ${marker}`;
    const smsBody = Buffer.from(JSON.stringify(sms));
    await postUntilTaken(webhookUrl, smsBody, sign(smsBody));

    // then the SMS message is delivered, on channel sms, with recipient.name and metadata kept
    const delivered = await eventually(
      () => receiver.requests.find((r) => r.body.includes(`sms ${marker}`)),
      { timeoutMs: 30_000, what: 'the SMS message at the subscriber' },
    );
    const event = JSON.parse(delivered.body) as {
      channel: string;
      provider: string;
      data: { raw: { recipient: { name: string }; metadata: Record<string, unknown> } };
    };
    expect(event).toMatchObject({ channel: 'sms', provider: 'connectly' });
    expect(event.data.raw.recipient.name).toBe('Acme Support');
    expect(event.data.raw.metadata).toEqual(sms.metadata);
    // and the WhatsApp one, published before it on the same partition, is not
    const logged = await admin<{ items: { type: string }[] }>('GET', `${base}/events`, key);
    expect(logged.body.items.filter((e) => e.type === 'whatsapp.message.received')).toHaveLength(2);
    expect(receiver.requests.some((r) => r.body.includes(`whatsapp ${marker}`))).toBe(false);
  });
});
