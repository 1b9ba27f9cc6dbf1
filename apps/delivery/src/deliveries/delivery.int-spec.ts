import { createHmac, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CloudEvent, SubscriptionRecord } from '@switchboard/contracts';
import {
  eventually,
  freePort,
  type ReceivedRequest,
  TestReceiver,
  uniqueName,
} from '@switchboard/testing';
import { Webhook } from 'standardwebhooks';
import { cloudEvent, subscriptionRecord, webhookSecret } from '../../test/builders';
import { DeliveryTestBed } from '../../test/delivery-test-bed';
import { secretKey } from '../signing/webhook-signer';
import { deliveryIdOf } from './delivery-id';

describe('delivery (real Kafka and PostgreSQL, a local receiver)', () => {
  const bed = new DeliveryTestBed();
  const receiver = new TestReceiver();
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    await bed.setUp();
    await receiver.start();
    app = await bed.startApp();
    await bed.follow();
  });

  afterAll(async () => {
    await app?.close();
    await receiver.stop();
    await bed.tearDown();
  });

  /** A subscription of its own business, delivering to its own path on the receiver. */
  function subscription(
    overrides: Parameters<typeof subscriptionRecord>[0] = {},
  ): SubscriptionRecord & { path: string } {
    const path = uniqueName('hook');
    const record = subscriptionRecord({
      businessId: uniqueName('biz'),
      address: receiver.url(path),
      ...overrides,
    });
    return { ...record, path };
  }

  function eventFor(sub: SubscriptionRecord, overrides: Partial<CloudEvent> = {}): CloudEvent {
    return cloudEvent({ businessid: sub.businessId, topic: sub.topic, ...overrides });
  }

  /** Asks for a test delivery to the subscription, as the admin API does. */
  async function sendTest(sub: SubscriptionRecord, requestId = `req_${randomUUID()}`) {
    await bed.publishCommand({
      type: 'test',
      id: randomUUID(),
      businessId: sub.businessId,
      issuedAt: new Date().toISOString(),
      subscriptionId: sub.id,
      topic: sub.topic,
      requestId,
    });
  }

  it('delivers a matching event once, signed for Standard Webhooks and the hex scheme', async () => {
    // given a subscription with one secret
    const sub = subscription();
    await bed.applySubscriptions(app!, sub);

    // when an event for it is published twice (a redelivery)
    const event = eventFor(sub);
    await bed.publishEvents(event);
    await bed.publishEvents(event);

    // then the endpoint gets the CloudEvent as the body, once
    const [request] = await receiver.waitFor(sub.path, 1);
    expect(request!.method).toBe('POST');
    expect(JSON.parse(request!.body)).toEqual(event);
    expect(request!.headers).toMatchObject({
      'content-type': 'application/cloudevents+json',
      'user-agent': 'Switchboard-Webhook/1.0',
      'webhook-id': deliveryIdOf(sub.id, event.id),
      'x-switchboard-event-type': 'whatsapp.message.received',
      'x-switchboard-topic': 'messages',
      'x-switchboard-attempt': '1',
    });
    // and the Standard Webhooks library verifies it
    expect(new Webhook(sub.secrets[0]!.value).verify(request!.body, request!.headers)).toEqual(
      event,
    );
    // and the hex scheme verifies by hand
    const timestamp = request!.headers['x-webhook-timestamp']!;
    expect(new Date(timestamp).toISOString()).toBe(timestamp);
    const hex = createHmac('sha256', secretKey(sub.secrets[0]!.value))
      .update(`${timestamp}.${request!.body}`)
      .digest('hex');
    expect(request!.headers['x-webhook-signature']).toBe(hex);

    // and the attempt is published, the delivery stored as succeeded, and nothing sent twice
    const [attempt] = await bed.waitForAttempts(sub.id, 1);
    expect(attempt).toMatchObject({
      deliveryId: deliveryIdOf(sub.id, event.id),
      eventId: event.id,
      eventType: event.type,
      businessId: sub.businessId,
      topic: 'messages',
      attempt: 1,
      outcome: 'succeeded',
      statusCode: 200,
      error: null,
      responseBody: 'ok',
      nextAttemptAt: null,
    });
    await bed.waitCommitted();
    expect(receiver.received(sub.path)).toHaveLength(1);
    expect(await bed.deliveries(sub.id)).toMatchObject([{ state: 'succeeded', attempts: 1 }]);
  });

  it('delivers in CloudEvents binary mode: data as the body, attributes in ce- headers, signed', async () => {
    // given a subscription in binary mode
    const sub = subscription({ configuration: { cloudEventsMode: 'binary' } });
    await bed.applySubscriptions(app!, sub);

    // when an event with a non-ASCII subject is published
    const event = eventFor(sub, { subject: '106540352242922:José Ñ' });
    await bed.publishEvents(event);

    // then the body is the event's data and Content-Type is its datacontenttype
    const [request] = await receiver.waitFor(sub.path, 1);
    expect(JSON.parse(request!.body)).toEqual(event.data);
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': event.id,
      'ce-source': event.source,
      'ce-type': event.type,
      'ce-time': event.time,
      'ce-subject': '106540352242922:Jos%C3%A9%20%C3%91',
      'ce-businessid': sub.businessId,
      'ce-topic': 'messages',
      'ce-environment': event.environment,
      'ce-provider': event.provider,
      'ce-rawid': event.rawid,
      'webhook-id': deliveryIdOf(sub.id, event.id),
    });
    expect(request!.headers).not.toHaveProperty('ce-datacontenttype');
    expect(decodeURIComponent(request!.headers['ce-subject']!)).toBe(event.subject);
    // and both signatures cover the body as sent
    expect(new Webhook(sub.secrets[0]!.value).verify(request!.body, request!.headers)).toEqual(
      event.data,
    );
    const hex = createHmac('sha256', secretKey(sub.secrets[0]!.value))
      .update(`${request!.headers['x-webhook-timestamp']}.${request!.body}`)
      .digest('hex');
    expect(request!.headers['x-webhook-signature']).toBe(hex);
    // and the attempt succeeds
    const [attempt] = await bed.waitForAttempts(sub.id, 1);
    expect(attempt).toMatchObject({ eventId: event.id, outcome: 'succeeded', statusCode: 200 });
  });

  it('signs with every live secret during a rotation', async () => {
    // given a subscription mid-rotation: a new secret and an old one still live
    const fresh = webhookSecret('whs_new', '2026-03-01T00:00:00Z');
    const retiring = webhookSecret(
      'whs_old',
      '2026-01-01T00:00:00Z',
      new Date(Date.now() + 3_600_000).toISOString(),
    );
    const sub = subscription({ secrets: [retiring, fresh] });
    await bed.applySubscriptions(app!, sub);

    // when an event is delivered
    await bed.publishEvents(eventFor(sub));
    const [request] = await receiver.waitFor(sub.path, 1);

    // then it carries two signatures and each secret verifies it alone
    expect(request!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(fresh.value).verify(request!.body, request!.headers)).not.toThrow();
    expect(() => new Webhook(retiring.value).verify(request!.body, request!.headers)).not.toThrow();
    // and the hex scheme carries one signature per live secret, newest first
    const hex = (value: string) =>
      createHmac('sha256', secretKey(value))
        .update(`${request!.headers['x-webhook-timestamp']}.${request!.body}`)
        .digest('hex');
    expect(request!.headers['x-webhook-signature']).toBe(
      `${hex(fresh.value)},${hex(retiring.value)}`,
    );
  });

  it('delivers only what filters, event types, channel types, environments and echo allow', async () => {
    // given subscriptions that each narrow what they receive
    const filtered = subscription({
      configuration: { filters: [{ field: 'campaign_name', expression: 'spring-*' }] },
    });
    const typed = subscription({
      topic: 'delivery_status',
      configuration: { eventTypes: ['whatsapp.message.status_updated'] },
    });
    const sandboxOnly = subscription({ configuration: { environments: ['sandbox'] } });
    const smsOnly = subscription({ configuration: { channelTypes: ['sms'] } });
    const whatsappOnly = subscription({ configuration: { channelTypes: ['whatsapp'] } });
    const noEcho = subscription();
    const withEcho = subscription({ configuration: { echo: true } });
    const disabled = subscription({ state: 'disabled' });
    const all = [filtered, typed, sandboxOnly, smsOnly, whatsappOnly, noEcho, withEcho, disabled];
    await bed.applySubscriptions(app!, ...all);

    // when events that each should or should not go out are published
    const data = (extra: Record<string, unknown>) => ({ messageType: 'text', ...extra });
    const expected = new Map<string, string[]>(all.map((s) => [s.id, []]));
    const send: CloudEvent[] = [];
    const add = (sub: SubscriptionRecord, event: CloudEvent, delivered: boolean): void => {
      send.push(event);
      if (delivered) expected.get(sub.id)!.push(event.id);
    };
    add(filtered, eventFor(filtered, { data: data({ campaignName: 'spring-sale' }) }), true);
    add(filtered, eventFor(filtered, { data: data({ campaignName: 'autumn-sale' }) }), false);
    add(filtered, eventFor(filtered, { data: data({}) }), false);
    add(typed, eventFor(typed, { type: 'whatsapp.message.status_updated' }), true);
    add(typed, eventFor(typed, { type: 'whatsapp.message.failed' }), false);
    add(sandboxOnly, eventFor(sandboxOnly, { environment: 'sandbox' }), true);
    add(sandboxOnly, eventFor(sandboxOnly, { environment: 'production' }), false);
    add(smsOnly, eventFor(smsOnly), false);
    add(whatsappOnly, eventFor(whatsappOnly), true);
    add(noEcho, eventFor(noEcho, { type: 'whatsapp.message.echoed' }), false);
    add(noEcho, eventFor(noEcho), true);
    add(withEcho, eventFor(withEcho, { type: 'whatsapp.message.echoed' }), true);
    add(disabled, eventFor(disabled), false);
    await bed.publishEvents(...send);

    // then, once every event is consumed, each endpoint got exactly what it should
    await bed.waitCommitted();
    await eventually(
      () => {
        for (const sub of all) {
          const got = receiver
            .received(sub.path)
            .map((r) => (JSON.parse(r.body) as CloudEvent).id)
            .sort();
          expect(got).toEqual([...expected.get(sub.id)!].sort());
        }
        return true;
      },
      { what: 'each endpoint received exactly its events' },
    );
  });

  it('retries a 500 on the schedule until it succeeds; failing, then recovered', async () => {
    // given an endpoint that fails three times, then answers 200
    const sub = subscription({ configuration: { retry: { schedule: [1, 1, 1, 1] } } });
    receiver.respond(sub.path, (_r, i) =>
      i < 3 ? { status: 500, body: 'boom' } : { status: 204 },
    );
    await bed.applySubscriptions(app!, sub);

    // when an event is published
    const event = eventFor(sub);
    await bed.publishEvents(event);

    // then it is attempted four times under one webhook id, the attempt number counting up
    const requests = await receiver.waitFor(sub.path, 4);
    expect(requests.map((r) => r.headers['x-switchboard-attempt'])).toEqual(['1', '2', '3', '4']);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([deliveryIdOf(sub.id, event.id)]),
    );
    // and every attempt is published with its outcome
    const attempts = await bed.waitForAttempts(sub.id, 4);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'failed', 500],
      [4, 'succeeded', 204],
    ]);
    expect(attempts[0]).toMatchObject({ error: 'HTTP 500', responseBody: 'boom' });
    expect(attempts[0]!.nextAttemptAt).not.toBeNull();
    // and the endpoint was announced failing after three failures, then recovered
    const health = await eventually(
      () => {
        const mine = bed.healthEvents.filter((h) => h.subscriptionId === sub.id);
        return mine.length >= 2 ? mine : undefined;
      },
      { what: 'failing and recovered events' },
    );
    expect(health.map((h) => [h.type, h.consecutiveFailures])).toEqual([
      ['subscription.failing', 3],
      ['subscription.recovered', 0],
    ]);
    expect(await bed.deliveries(sub.id)).toMatchObject([{ state: 'succeeded', attempts: 4 }]);
  });

  it('retries after a timeout', async () => {
    // given an endpoint that keeps the first request waiting past the timeout
    const sub = subscription({ configuration: { retry: { schedule: [1], timeoutMs: 300 } } });
    receiver.respond(sub.path, (_r, i) => (i === 0 ? { hang: true } : { status: 200 }));
    await bed.applySubscriptions(app!, sub);

    // when an event is published
    await bed.publishEvents(eventFor(sub));

    // then the first attempt times out and the second succeeds
    const attempts = await bed.waitForAttempts(sub.id, 2);
    expect(attempts[0]).toMatchObject({ outcome: 'failed', statusCode: null });
    expect(attempts[0]!.error).toMatch(/^timeout/);
    expect(attempts[0]!.latencyMs).toBeGreaterThanOrEqual(250);
    expect(attempts[1]).toMatchObject({ outcome: 'succeeded', statusCode: 200 });
  });

  it('retries after the connection is refused', async () => {
    // given a subscription to a port where nothing listens yet
    const port = await freePort();
    const sub = subscription({ configuration: { retry: { schedule: [10, 10, 10] } } });
    const late = new TestReceiver({ port });
    const address = `http://127.0.0.1:${port}/late`;
    await bed.applySubscriptions(app!, { ...sub, address });

    // when an event is published, the first attempt finds the port closed
    await bed.publishEvents(eventFor(sub));
    const [refused] = await bed.waitForAttempts(sub.id, 1);
    expect(refused).toMatchObject({ outcome: 'failed', statusCode: null });
    expect(refused!.error).toMatch(/ECONNREFUSED/);

    // then once the endpoint is up, the retry reaches it
    await late.start();
    try {
      await late.waitFor('late', 1);
      const succeeded = await eventually(
        () => bed.attemptsOf(sub.id).find((a) => a.outcome === 'succeeded'),
        { what: 'a successful retry' },
      );
      expect(succeeded.attempt).toBeGreaterThan(1);
    } finally {
      await late.stop();
    }
  });

  it('waits as long as Retry-After asks', async () => {
    // given an endpoint that answers 503 with Retry-After: 2, then 200
    const sub = subscription({ configuration: { retry: { schedule: [1] } } });
    receiver.respond(sub.path, (_r, i) =>
      i === 0 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    await bed.applySubscriptions(app!, sub);

    // when an event is published
    await bed.publishEvents(eventFor(sub));

    // then the retry comes two seconds later, not after the schedule's 100 ms
    const [first, second] = await receiver.waitFor(sub.path, 2);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1_900);
    const [attempt] = await bed.waitForAttempts(sub.id, 1);
    const delay = Date.parse(attempt!.nextAttemptAt!) - Date.parse(attempt!.attemptedAt);
    expect(delay).toBeGreaterThanOrEqual(2_000);
    expect(delay).toBeLessThanOrEqual(2_000 + attempt!.latencyMs + 50);
  });

  it('spaces a retry from the end of the attempt, not from its start', async () => {
    // given an endpoint that takes 1.5 s to answer 500 once, and a schedule of 1 s (10 s × 0.1)
    const sub = subscription({ configuration: { retry: { schedule: [10], timeoutMs: 5_000 } } });
    receiver.respond(sub.path, (_r, i) =>
      i === 0 ? { status: 500, delayMs: 1_500 } : { status: 200 },
    );
    await bed.applySubscriptions(app!, sub);

    // when an event is published
    await bed.publishEvents(eventFor(sub));

    // then the retry starts a full second after the slow answer, not right after it
    const [first, second] = await receiver.waitFor(sub.path, 2);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(2_450);
    const [failed] = await bed.waitForAttempts(sub.id, 1);
    expect(failed!.latencyMs).toBeGreaterThanOrEqual(1_450);
    const delay = Date.parse(failed!.nextAttemptAt!) - Date.parse(failed!.attemptedAt);
    expect(delay).toBeGreaterThanOrEqual(1_000 + failed!.latencyMs - 5);
  });

  it('publishes an attempt only once its outcome is stored; a lost outcome is attempted again', async () => {
    // given a subscription whose outcome writes fail (as with the database down), short lease
    const sub = subscription({ configuration: { retry: { timeoutMs: 500 } } });
    await bed.query(
      `CREATE FUNCTION delivery.refuse_outcomes() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'database unavailable (test)'; END $$`,
    );
    await bed.query(
      `CREATE TRIGGER refuse_outcomes BEFORE UPDATE ON delivery.deliveries FOR EACH ROW
       WHEN (NEW.attempts <> OLD.attempts AND NEW.subscription_id = '${sub.id}')
       EXECUTE FUNCTION delivery.refuse_outcomes()`,
    );
    let first: ReceivedRequest | undefined;
    try {
      await bed.applySubscriptions(app!, sub);

      // when an event is delivered and its outcome cannot be stored
      await bed.publishEvents(eventFor(sub));
      [first] = await receiver.waitFor(sub.path, 1);
      expect(first!.headers['x-switchboard-attempt']).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      // then no attempt is published, and the delivery is still pending with no attempt counted
      expect(bed.attemptsOf(sub.id)).toEqual([]);
      expect(await bed.deliveries(sub.id)).toMatchObject([{ state: 'pending', attempts: 0 }]);
    } finally {
      await bed.query(`DROP TRIGGER refuse_outcomes ON delivery.deliveries`);
      await bed.query(`DROP FUNCTION delivery.refuse_outcomes()`);
    }

    // and once writes work again, the delivery is attempted again when its lease ends
    const [, second] = await receiver.waitFor(sub.path, 2, 30_000);
    expect(second!.headers['x-switchboard-attempt']).toBe('1');
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    const [attempt] = await bed.waitForAttempts(sub.id, 1);
    expect(attempt).toMatchObject({ attempt: 1, outcome: 'succeeded' });
    await eventually(async () => {
      const [row] = await bed.deliveries(sub.id);
      return row?.state === 'succeeded' && row.attempts === 1 ? row : undefined;
    });
    expect(bed.attemptsOf(sub.id)).toHaveLength(1);
  });

  it('disables the subscription on 410 Gone and announces it', async () => {
    // given an endpoint that answers 410
    const sub = subscription({ configuration: { retry: { schedule: [1, 1] } } });
    receiver.respond(sub.path, () => ({ status: 410 }));
    await bed.applySubscriptions(app!, sub);

    // when an event is published
    await bed.publishEvents(eventFor(sub));

    // then it is dead-lettered at once and the subscription is announced disabled
    const [attempt] = await bed.waitForAttempts(sub.id, 1);
    expect(attempt).toMatchObject({
      outcome: 'dead_lettered',
      statusCode: 410,
      nextAttemptAt: null,
    });
    const disabled = await eventually(
      () => bed.healthEvents.find((h) => h.subscriptionId === sub.id),
      { what: 'subscription.disabled' },
    );
    expect(disabled).toMatchObject({ type: 'subscription.disabled', businessId: sub.businessId });
    expect(disabled.reason).toMatch(/410/);

    // and later events are not delivered to it
    const later = eventFor(sub);
    await bed.publishEvents(later);
    await bed.waitCommitted();
    expect(receiver.received(sub.path)).toHaveLength(1);
    expect((await bed.deliveries(sub.id)).map((d) => d.event_id)).not.toContain(later.id);
  });

  it('dead-letters every pending retry of a subscription disabled meanwhile, unsent', async () => {
    // given an endpoint that fails, and retries 2 s apart (the bed scales delays by 0.1)
    const sub = subscription({ configuration: { retry: { schedule: [20, 20] } } });
    receiver.respond(sub.path, () => ({ status: 503 }));
    await bed.applySubscriptions(app!, sub);

    // when 5 events' first attempts have failed and the subscription is then disabled
    const events = [1, 2, 3, 4, 5].map(() => eventFor(sub));
    await bed.publishEvents(...events);
    await receiver.waitFor(sub.path, events.length);
    await bed.applySubscriptions(app!, { ...sub, version: sub.version + 1, state: 'disabled' });

    // then, once due, all 5 are dead-lettered with the reason, and none is sent again
    const rows = await eventually(
      async () => {
        const all = await bed.deliveries(sub.id);
        return all.length === events.length && all.every((d) => d.state === 'dead_lettered')
          ? all
          : undefined;
      },
      { timeoutMs: 20_000, what: 'the pending retries dead-lettered' },
    );
    expect(rows.map((r) => r.last_error)).toEqual(
      Array(events.length).fill('subscription disabled'),
    );
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    expect(receiver.received(sub.path)).toHaveLength(events.length);
  });

  it('dead-letters after the last attempt and delivers again on a recover command', async () => {
    // given an endpoint that fails until told otherwise, and a two-attempt schedule
    const since = new Date(Date.now() - 1_000).toISOString();
    let healthy = false;
    const sub = subscription({ configuration: { retry: { schedule: [1] } } });
    receiver.respond(sub.path, () => (healthy ? { status: 200 } : { status: 502 }));
    await bed.applySubscriptions(app!, sub);

    // when an event is published, both attempts fail and the delivery is dead-lettered
    const event = eventFor(sub);
    await bed.publishEvents(event);
    const attempts = await bed.waitForAttempts(sub.id, 2);
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'dead_lettered']);
    expect(attempts[1]!.nextAttemptAt).toBeNull();
    expect(await bed.deliveries(sub.id)).toMatchObject([{ state: 'dead_lettered', attempts: 2 }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received(sub.path)).toHaveLength(2);

    // when the endpoint is fixed and a recover command is issued
    healthy = true;
    await bed.publishCommand({
      type: 'recover',
      id: randomUUID(),
      businessId: sub.businessId,
      issuedAt: new Date().toISOString(),
      subscriptionId: sub.id,
      topic: sub.topic,
      since,
    });

    // then the event is delivered again, and the delivery succeeds
    const after = await bed.waitForAttempts(sub.id, 3);
    expect(after[2]).toMatchObject({ attempt: 3, outcome: 'succeeded', eventId: event.id });
    expect(await bed.deliveries(sub.id)).toMatchObject([{ state: 'succeeded', attempts: 3 }]);
  });

  it('sends a delivery again on a retry command, whatever its state', async () => {
    // given a delivered event
    const sub = subscription();
    await bed.applySubscriptions(app!, sub);
    const event = eventFor(sub);
    await bed.publishEvents(event);
    await bed.waitForAttempts(sub.id, 1);

    // when a retry command names its delivery
    await bed.publishCommand({
      type: 'retry',
      id: randomUUID(),
      businessId: sub.businessId,
      issuedAt: new Date().toISOString(),
      deliveryId: deliveryIdOf(sub.id, event.id),
    });

    // then it is sent again under the same webhook id
    const requests = await receiver.waitFor(sub.path, 2);
    expect(requests[1]!.headers['webhook-id']).toBe(deliveryIdOf(sub.id, event.id));
    expect(requests[1]!.headers['x-switchboard-attempt']).toBe('2');
  });

  it('sends a test event on a test command and publishes its attempt quickly', async () => {
    // given a subscription with a filter no test event would pass
    const sub = subscription({
      configuration: { filters: [{ field: 'campaign_name', expression: 'never' }] },
    });
    await bed.applySubscriptions(app!, sub);

    // when the admin API asks for a test
    const requestId = `req_${randomUUID()}`;
    const issued = Date.now();
    await sendTest(sub, requestId);

    // then the endpoint gets a signed webhook.test event and the attempt is published at once
    const [attempt] = await bed.waitForAttempts(sub.id, 1, 5_000);
    expect(Date.now() - issued).toBeLessThan(5_000);
    expect(attempt).toMatchObject({
      eventId: requestId,
      eventType: 'webhook.test',
      outcome: 'succeeded',
    });
    const [request] = receiver.received(sub.path);
    const body = new Webhook(sub.secrets[0]!.value).verify(request!.body, request!.headers);
    expect(body).toMatchObject({
      type: 'webhook.test',
      id: requestId,
      businessid: sub.businessId,
      provider: 'switchboard',
      data: { subscriptionId: sub.id, requestId },
    });
  });

  it('keeps taking commands while a test waits on an endpoint that never answers', async () => {
    // given one business with a black-holed endpoint on one topic and a healthy one on another
    // (same business: its commands share a partition and are handled in order)
    const businessId = uniqueName('biz');
    const hanging = subscription({ businessId, configuration: { retry: { timeoutMs: 20_000 } } });
    const healthy = subscription({ businessId, topic: 'delivery_status' });
    receiver.respond(hanging.path, () => ({ hang: true }));
    await bed.applySubscriptions(app!, hanging, healthy);

    // when a test is sent to the hanging endpoint, then one to the healthy endpoint
    await sendTest(hanging);
    await receiver.waitFor(hanging.path, 1);
    const issued = Date.now();
    await sendTest(healthy);

    // then the healthy endpoint's test is attempted and published at once, not after 20 s
    const [attempt] = await bed.waitForAttempts(healthy.id, 1, 10_000);
    expect(attempt).toMatchObject({ eventType: 'webhook.test', outcome: 'succeeded' });
    expect(Date.now() - issued).toBeLessThan(10_000);
    expect(bed.attemptsOf(hanging.id)).toEqual([]);
  });

  it('never counts test attempts toward endpoint health', async () => {
    // given an endpoint that always fails, and failing after 3 consecutive failures
    const sub = subscription();
    receiver.respond(sub.path, () => ({ status: 500 }));
    await bed.applySubscriptions(app!, sub);

    // when four tests are sent to it and fail
    for (let i = 0; i < 4; i++) await sendTest(sub);
    const attempts = await bed.waitForAttempts(sub.id, 4);
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed', 'failed']);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // several health flushes

    // then the endpoint is not failing: no announcement, no failure stored
    expect(bed.healthEvents.filter((e) => e.subscriptionId === sub.id)).toEqual([]);
    const health = await bed.query<{ consecutive_failures: number }>(
      `SELECT consecutive_failures FROM delivery.subscription_health WHERE subscription_id = $1`,
      [sub.id],
    );
    expect(health.every((h) => h.consecutive_failures === 0)).toBe(true);

    // and a real event's failure does count
    await bed.publishEvents(eventFor(sub));
    await eventually(async () => {
      const [row] = await bed.query<{ consecutive_failures: number }>(
        `SELECT consecutive_failures FROM delivery.subscription_health WHERE subscription_id = $1`,
        [sub.id],
      );
      return row && row.consecutive_failures >= 1 ? row : undefined;
    });
  });

  it('refuses a private address that is not allowlisted, without connecting', async () => {
    // given a subscription to 10.0.0.1 (only 127.0.0.1 is allowlisted here)
    const sub = subscription({ configuration: { retry: { schedule: [100] } } });
    await bed.applySubscriptions(app!, { ...sub, address: 'http://10.0.0.1:9/hook' });

    // when an event is published
    await bed.publishEvents(eventFor(sub));

    // then the attempt fails at once with the refusal, and is retried later like any failure
    const [attempt] = await bed.waitForAttempts(sub.id, 1);
    expect(attempt).toMatchObject({ outcome: 'failed', statusCode: null, responseBody: null });
    expect(attempt!.error).toBe('address refused: "10.0.0.1" is a private address');
    expect(attempt!.latencyMs).toBeLessThan(1_000);
  });

  it('does not let a black-holed endpoint delay deliveries to a healthy one', async () => {
    // given an endpoint that accepts connections and never answers, and a healthy one
    const hole = subscription({ configuration: { retry: { schedule: [100], timeoutMs: 20_000 } } });
    const healthy = subscription();
    receiver.respond(hole.path, () => ({ hang: true }));
    await bed.applySubscriptions(app!, hole, healthy);

    // when events to both are published interleaved, on one partition (same subject)
    const events: CloudEvent[] = [];
    for (let i = 0; i < 30; i++) {
      events.push(eventFor(hole, { subject: 'shared-conversation' }));
      if (i % 2 === 0) events.push(eventFor(healthy, { subject: 'shared-conversation' }));
    }
    const published = Date.now();
    for (let i = 0; i < events.length; i += 5) await bed.publishEvents(...events.slice(i, i + 5));

    // then the healthy endpoint gets all its events promptly while the hole holds only its lane
    const got = await receiver.waitFor(healthy.path, 15, 10_000);
    expect(got[got.length - 1]!.receivedAt - published).toBeLessThan(5_000);
    expect(receiver.received(hole.path).length).toBeLessThanOrEqual(4);
    // and every event to the hole is stored for retrying
    await bed.waitCommitted();
    const stored = await bed.deliveries(hole.id);
    expect(stored).toHaveLength(30);
    expect(stored.every((d) => d.state === 'pending')).toBe(true);
  });
});
