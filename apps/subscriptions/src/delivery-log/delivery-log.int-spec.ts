import { randomUUID } from 'node:crypto';
import {
  decode,
  type DeliveryAttempt,
  DeliveryAttemptsTopic,
  DeliveryCommandsTopic,
  encodeMessage,
  type SubscriptionHealthEvent,
  SubscriptionEventsTopic,
} from '@switchboard/contracts';
import { eventually } from '@switchboard/testing';
import { latestByKey, SubscriptionsUnderTest } from '../../test/subscriptions-app';
import type { CreatedBusiness } from '../businesses/businesses.schemas';
import { signCursor } from '../common/cursor';
import type { CreatedWebhook } from '../webhooks/webhooks.schemas';
import type {
  CommandAccepted,
  DeliveryDetail,
  DeliveryList,
  TestDeliveryResult,
  WebhookHealth,
} from './delivery-log.schemas';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('delivery log, endpoint health and delivery commands (real PostgreSQL and Kafka)', () => {
  const service = new SubscriptionsUnderTest();
  let a: CreatedBusiness;
  let b: CreatedBusiness;
  let webhook: CreatedWebhook;
  const t0 = Date.now() - 60_000;
  const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

  function attempt(
    overrides: Partial<DeliveryAttempt> & Pick<DeliveryAttempt, 'deliveryId'>,
  ): DeliveryAttempt {
    return {
      id: randomUUID(),
      eventId: `evt_${overrides.deliveryId}`,
      eventType: 'whatsapp.message.received',
      businessId: a.id,
      subscriptionId: webhook.id,
      topic: 'messages',
      attempt: 1,
      attemptedAt: at(0),
      outcome: 'succeeded',
      statusCode: 200,
      latencyMs: 12.5,
      error: null,
      responseBody: 'ok',
      nextAttemptAt: null,
      ...overrides,
    };
  }

  function healthEvent(
    type: SubscriptionHealthEvent['type'],
    occurredAt: string,
  ): SubscriptionHealthEvent {
    return {
      id: randomUUID(),
      type,
      businessId: a.id,
      subscriptionId: webhook.id,
      topic: 'messages',
      occurredAt,
      reason:
        type === 'subscription.recovered' ? 'HTTP 200' : '12 consecutive failures (last: HTTP 503)',
      consecutiveFailures: type === 'subscription.recovered' ? 0 : 12,
    };
  }

  async function publishAttempts(...attempts: DeliveryAttempt[]): Promise<void> {
    await service.produce(
      service.topic(DeliveryAttemptsTopic),
      attempts.map((x) => encodeMessage(DeliveryAttemptsTopic, x)),
    );
  }

  async function publishHealth(...events: SubscriptionHealthEvent[]): Promise<void> {
    await service.produce(
      service.topic(SubscriptionEventsTopic),
      events.map((x) => encodeMessage(SubscriptionEventsTopic, x)),
    );
  }

  function get<T>(url: string, business = a) {
    return service.request<T & ErrorBody>({
      method: 'GET',
      url: `/v1/businesses/${business.id}${url}`,
      headers: { 'x-api-key': business.apiKey.key },
    });
  }

  function post<T>(url: string, payload?: unknown, business = a) {
    return service.request<T & ErrorBody>({
      method: 'POST',
      url: `/v1/businesses/${business.id}${url}`,
      headers: { 'x-api-key': business.apiKey.key },
      payload,
    });
  }

  beforeAll(async () => {
    // long enough for the test to find the command and answer it as the delivery service would
    await service.start({ TEST_DELIVERY_TIMEOUT_MS: '60000' });
    const create = async (name: string) => await service.createBusiness({ name });
    a = await create('A');
    b = await create('B');
    webhook = (
      await post<CreatedWebhook>('/webhooks', { topic: 'messages', address: 'https://127.0.0.1/a' })
    ).body;
  });
  afterAll(() => service.stop());

  it('records attempts once each and answers with each delivery’s latest state', async () => {
    // given attempts of two deliveries of A (one arriving twice, one out of order) and one of B
    const d1first = attempt({
      deliveryId: 'dlv_1',
      attemptedAt: at(1),
      outcome: 'failed',
      statusCode: 503,
      error: 'HTTP 503',
      responseBody: 'busy',
      nextAttemptAt: at(6),
    });
    const d1second = attempt({ deliveryId: 'dlv_1', attempt: 2, attemptedAt: at(6) });
    const d2second = attempt({
      deliveryId: 'dlv_2',
      attempt: 2,
      attemptedAt: at(20),
      outcome: 'dead_lettered',
      statusCode: null,
      error: 'timeout',
      responseBody: null,
    });
    const d2first = attempt({
      deliveryId: 'dlv_2',
      attemptedAt: at(10),
      outcome: 'failed',
      statusCode: 500,
      nextAttemptAt: at(20),
    });
    const other = attempt({ deliveryId: 'dlv_b', businessId: b.id, subscriptionId: 'sub_b' });
    await publishAttempts(d1first, d1second, d1second, d2second, d2first, other);

    // when the log has them
    const list = await eventually(
      async () => {
        const res = await get<DeliveryList>('/deliveries');
        return res.body.items?.length === 2 && res.body.items.every((d) => d.attemptCount === 2)
          ? res.body
          : undefined;
      },
      { what: 'two deliveries in the log' },
    );

    // then they are listed latest first, with the state of their latest attempt
    expect(list.items).toEqual([
      expect.objectContaining({
        id: 'dlv_2',
        subscriptionId: webhook.id,
        topic: 'messages',
        outcome: 'dead_lettered',
        attemptCount: 2,
        statusCode: null,
        error: 'timeout',
        firstAttemptAt: at(10),
        lastAttemptAt: at(20),
        nextAttemptAt: null,
      }),
      expect.objectContaining({
        id: 'dlv_1',
        outcome: 'succeeded',
        attemptCount: 2,
        statusCode: 200,
      }),
    ]);
    expect(list.nextCursor).toBeNull();

    // and one delivery shows every attempt, in order
    const detail = await get<DeliveryDetail>('/deliveries/dlv_1');
    expect(detail.statusCode).toBe(200);
    expect(detail.body.attempts).toEqual([
      expect.objectContaining({
        id: d1first.id,
        attempt: 1,
        outcome: 'failed',
        statusCode: 503,
        responseBody: 'busy',
        nextAttemptAt: at(6),
      }),
      expect.objectContaining({ id: d1second.id, attempt: 2, outcome: 'succeeded' }),
    ]);

    // and filters and pages work
    const dead = await get<DeliveryList>('/deliveries?outcome=dead_lettered');
    expect(dead.body.items.map((d) => d.id)).toEqual(['dlv_2']);
    expect((await get<DeliveryList>('/deliveries?topic=templates')).body.items).toEqual([]);
    const first = await get<DeliveryList>('/deliveries?limit=1');
    expect(first.body.items.map((d) => d.id)).toEqual(['dlv_2']);
    const second = await get<DeliveryList>(`/deliveries?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((d) => d.id)).toEqual(['dlv_1']);
    expect(second.body.nextCursor).toBeNull();

    // and another business's delivery is not found
    expect((await get('/deliveries/dlv_b')).statusCode).toBe(404);
    expect((await get('/deliveries/dlv_b', b)).statusCode).toBe(200);
  });

  it('filters deliveries by event type or family and by the time of their latest activity', async () => {
    // given a business with three deliveries of other event types, each a second after the other
    const c = await service.createBusiness({ name: 'C' });
    const of = (deliveryId: string, eventType: string, seconds: number) =>
      attempt({
        deliveryId,
        eventType,
        businessId: c.id,
        subscriptionId: 'sub_c',
        attemptedAt: at(seconds),
      });
    await publishAttempts(
      of('dlv_c1', 'whatsapp.message.received', 1),
      of('dlv_c2', 'whatsapp.message.status_updated', 2),
      of('dlv_c3', 'platform.campaign.completed', 3),
    );
    await eventually(
      async () =>
        (await get<DeliveryList>('/deliveries', c)).body.items?.length === 3 ? true : undefined,
      { what: "C's three deliveries in the log" },
    );
    const ids = async (query: string) =>
      (await get<DeliveryList>(`/deliveries?${query}`, c)).body.items.map((d) => d.id);

    // then an event type, a family, a time range and their combination each pick their own
    expect(await ids('eventType=whatsapp.message.received')).toEqual(['dlv_c1']);
    expect(await ids('eventType=whatsapp.message.*')).toEqual(['dlv_c2', 'dlv_c1']);
    expect(await ids(`since=${at(2)}`)).toEqual(['dlv_c3', 'dlv_c2']);
    expect(await ids(`since=${at(2)}&until=${at(3)}`)).toEqual(['dlv_c2']);
    expect(await ids(`eventType=platform.*&until=${at(3)}`)).toEqual([]);
    expect(await ids(`eventType=platform.*&since=${at(1)}`)).toEqual(['dlv_c3']);

    // and an empty range or a malformed type is refused, naming the parameter
    const empty = await get(`/deliveries?since=${at(3)}&until=${at(2)}`, c);
    expect([empty.statusCode, empty.body.error.message]).toEqual([
      400,
      'until: must be after since',
    ]);
    const bad = await get('/deliveries?eventType=Message%20Received', c);
    expect(bad.statusCode).toBe(400);
    expect(bad.body.error.message).toMatch(/^eventType: must be an event type/);
  });

  it.each([
    ['/deliveries?limit=0', 'limit: Too small: expected number to be >=1'],
    ['/deliveries?limit=abc', 'limit: Invalid input: expected number, received NaN'],
    [
      '/deliveries?outcome=lost',
      'outcome: Invalid option: expected one of "succeeded"|"failed"|"dead_lettered"|"suppressed"',
    ],
    ['/deliveries?cursor=nonsense', 'cursor: not a cursor this API gave'],
    [
      `/deliveries?cursor=${Buffer.from('["2026-01-01T00:00:00.000Z","dlv_1"]').toString('base64url')}`,
      'cursor: not a cursor this API gave',
    ],
    ['/deliveries?order=asc', '(query): unknown field "order"'],
  ])('refuses %s', async (url, message) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.body.error.message).toBe(message);
  });

  // Signed with the service's own key, yet not a position the API writes for this list (some
  // PostgreSQL would refuse): a 400 for them too, never a 500
  it.each([
    ['an id with a NUL', 'deliveries', ['2026-01-01T00:00:00.000Z', 'dlv\u0000']],
    ['a time PostgreSQL cannot store', 'deliveries', ['-271821-04-20T00:00:00.000Z', 'dlv_1']],
    ['an id that is not text', 'deliveries', ['2026-01-01T00:00:00.000Z', 7]],
    [
      'the position of another list',
      'outbound-dead-letters',
      ['2026-01-01T00:00:00.000Z', 'dlv_1'],
    ],
  ] as const)('refuses a signed cursor holding %s', async (_, list, position) => {
    const res = await get(
      `/deliveries?cursor=${signCursor(service.config.cursorKey, list, position)}`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.body.error.message).toBe('cursor: not a cursor this API gave');
  });

  it('shows endpoint health, and a disable announcement disables the subscription until re-enabled', async () => {
    // given the delivery service announced failing, then disabled (after the last change)
    const now = Date.now();
    const failing = healthEvent('subscription.failing', new Date(now).toISOString());
    const disabled = healthEvent('subscription.disabled', new Date(now + 1).toISOString());
    await publishHealth(failing, disabled);

    // then the health shows it, with the attempts of the last 24 hours
    const health = await eventually(
      async () => {
        const res = await get<WebhookHealth>('/webhooks/messages/health');
        return res.body.state === 'disabled' ? res.body : undefined;
      },
      { what: 'the subscription disabled' },
    );
    expect(health).toEqual({
      subscriptionId: webhook.id,
      topic: 'messages',
      state: 'disabled',
      health: {
        status: 'disabled',
        consecutiveFailures: 12,
        reason: '12 consecutive failures (last: HTTP 503)',
        changedAt: disabled.occurredAt,
      },
      last24h: { succeeded: 1, failed: 2, deadLettered: 1 },
      lastSuccessAt: at(6),
      lastFailureAt: at(20),
      windows: {
        '1h': {
          attempts: 4,
          succeeded: 1,
          failed: 3,
          successRate: 0.25,
          p50LatencyMs: 12.5,
          p95LatencyMs: 12.5,
        },
        '24h': {
          attempts: 4,
          succeeded: 1,
          failed: 3,
          successRate: 0.25,
          p50LatencyMs: 12.5,
          p95LatencyMs: 12.5,
        },
      },
      // the announcement is newer than every recorded attempt: its count
      consecutiveFailures: 12,
      lastError: { at: at(20), statusCode: null, error: 'timeout' },
    });

    // and the disabled record reached the config topic
    await eventually(
      async () => {
        const record = latestByKey(await service.readConfigTopic()).get(
          `subscription:${a.id}:messages`,
        );
        return record?.kind === 'subscription' && record.state === 'disabled' ? true : undefined;
      },
      { what: 'the disabled subscription on the config topic' },
    );

    // when the business re-enables it and the old announcement is replayed, then it stays active
    const patched = await service.request({
      method: 'PATCH',
      url: `/v1/businesses/${a.id}/webhooks/messages`,
      headers: { 'x-api-key': a.apiKey.key },
      payload: { state: 'active' },
    });
    expect(patched.statusCode).toBe(200);
    // then the health view changes with it at once: healthy as of the re-enabling
    const reenabled = await get<WebhookHealth>('/webhooks/messages/health');
    expect(reenabled.body).toEqual(
      expect.objectContaining({
        state: 'active',
        health: {
          status: 'healthy',
          consecutiveFailures: 0,
          reason: 're-enabled by the business (was disabled)',
          changedAt: (patched.body as { updatedAt: string }).updatedAt,
        },
      }),
    );
    await publishHealth(disabled, healthEvent('subscription.recovered', new Date().toISOString()));
    const after = await eventually(
      async () => {
        const res = await get<WebhookHealth>('/webhooks/messages/health');
        return res.body.health?.status === 'healthy' ? res.body : undefined;
      },
      { what: 'the recovery recorded' },
    );
    expect(after.state).toBe('active');

    // and another business cannot see it
    expect((await get('/webhooks/messages/health', b)).statusCode).toBe(404);
  });

  it('shows a replaced subscription healthy again, as the replacement makes it active', async () => {
    // given a flows subscription the delivery service announced as failing, then disabled
    const flows = (
      await post<CreatedWebhook>('/webhooks', { topic: 'flows', address: 'https://127.0.0.1/f' })
    ).body;
    const now = Date.now();
    const announce = (type: SubscriptionHealthEvent['type'], at: number) => ({
      ...healthEvent(type, new Date(at).toISOString()),
      subscriptionId: flows.id,
      topic: 'flows' as const,
    });
    await publishHealth(
      announce('subscription.failing', now),
      announce('subscription.disabled', now + 1),
    );
    await eventually(
      async () => {
        const res = await get<WebhookHealth>('/webhooks/flows/health');
        return res.body.state === 'disabled' ? true : undefined;
      },
      { what: 'the flows subscription disabled' },
    );

    // when the business creates the flows subscription again (a replacement)
    const replaced = await post<CreatedWebhook>('/webhooks', {
      topic: 'flows',
      address: 'https://127.0.0.1/f2',
    });
    expect(replaced.statusCode).toBe(200);

    // then the health view changes with it at once
    const health = await get<WebhookHealth>('/webhooks/flows/health');
    expect(health.body).toEqual(
      expect.objectContaining({
        state: 'active',
        health: {
          status: 'healthy',
          consecutiveFailures: 0,
          reason: 'replaced by the business (was disabled)',
          changedAt: replaced.body.updatedAt,
        },
      }),
    );
  });

  it('computes success rates, latency percentiles and the failure streak from the attempts', async () => {
    // given a subscription whose endpoint answered with known latencies over the last 30 hours
    const templates = (
      await post<CreatedWebhook>('/webhooks', {
        topic: 'templates',
        address: 'https://127.0.0.1/t',
      })
    ).body;
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const of = (n: number, overrides: Partial<DeliveryAttempt>) =>
      attempt({
        deliveryId: `dlv_t${n}`,
        subscriptionId: templates.id,
        topic: 'templates',
        ...overrides,
      });
    const latest = of(7, {
      attemptedAt: ago(5),
      outcome: 'failed',
      statusCode: null,
      error: 'timeout',
      latencyMs: 30,
    });
    await publishAttempts(
      of(1, { attemptedAt: ago(30 * 60), latencyMs: 999 }),
      of(2, {
        attemptedAt: ago(5 * 60),
        outcome: 'failed',
        statusCode: 502,
        error: 'HTTP 502',
        latencyMs: 100,
      }),
      of(3, {
        attemptedAt: ago(5 * 60 - 1),
        outcome: 'dead_lettered',
        statusCode: 500,
        error: 'HTTP 500',
        latencyMs: 200,
      }),
      of(4, { attemptedAt: ago(20), latencyMs: 10 }),
      of(5, { attemptedAt: ago(15), latencyMs: 20 }),
      of(6, {
        attemptedAt: ago(10),
        outcome: 'failed',
        statusCode: 503,
        error: 'HTTP 503',
        latencyMs: 40,
      }),
      latest,
    );

    // when every attempt is recorded
    const health = await eventually(
      async () => {
        const res = await get<WebhookHealth>('/webhooks/templates/health');
        // (the view's figures come from separate reads, so they agree once all six are in)
        const counts = res.body.last24h;
        const counted = counts ? counts.succeeded + counts.failed + counts.deadLettered : 0;
        return res.body.windows?.['24h'].attempts === 6 && counted === 6 ? res.body : undefined;
      },
      { what: 'the attempts recorded' },
    );

    // then the last hour has 10, 20, 30, 40 ms and the last day also 100 and 200 ms
    expect(health.state).toBe('active');
    expect(health.health).toBeNull();
    expect(health.windows['1h']).toEqual({
      attempts: 4,
      succeeded: 2,
      failed: 2,
      successRate: 0.5,
      p50LatencyMs: 25,
      p95LatencyMs: expect.closeTo(38.5, 6),
    });
    expect(health.windows['24h']).toEqual({
      attempts: 6,
      succeeded: 2,
      failed: 4,
      successRate: expect.closeTo(1 / 3, 6),
      p50LatencyMs: 35,
      p95LatencyMs: expect.closeTo(175, 6),
    });
    expect(health.last24h).toEqual({ succeeded: 2, failed: 3, deadLettered: 1 });
    // and two attempts failed since the last success, the latest being the timeout
    expect(health.consecutiveFailures).toBe(2);
    expect(health.lastError).toEqual({
      at: latest.attemptedAt,
      statusCode: null,
      error: 'timeout',
    });

    // and a subscription without attempts has no rates
    const empty = await post<CreatedWebhook>('/webhooks', {
      topic: 'account',
      address: 'https://127.0.0.1/acc',
    });
    expect(empty.statusCode).toBe(201);
    const none = await get<WebhookHealth>('/webhooks/account/health');
    expect(none.body).toEqual(
      expect.objectContaining({
        windows: {
          '1h': {
            attempts: 0,
            succeeded: 0,
            failed: 0,
            successRate: null,
            p50LatencyMs: null,
            p95LatencyMs: null,
          },
          '24h': {
            attempts: 0,
            succeeded: 0,
            failed: 0,
            successRate: null,
            p50LatencyMs: null,
            p95LatencyMs: null,
          },
        },
        consecutiveFailures: 0,
        lastError: null,
      }),
    );
  });

  it('lists a suppressed status with its reason, and never counts it as an endpoint failure', async () => {
    // given a statuses subscription whose endpoint got one status, the next one suppressed
    const statuses = (
      await post<CreatedWebhook>('/webhooks', {
        topic: 'delivery_status',
        address: 'https://127.0.0.1/s',
      })
    ).body;
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const reason =
      'Suppressed: status delivered of wamid.A is earlier than read, already delivered (statusMonotonic)';
    const of = (n: number, overrides: Partial<DeliveryAttempt>) =>
      attempt({
        deliveryId: `dlv_s${n}`,
        subscriptionId: statuses.id,
        topic: 'delivery_status',
        eventType: 'whatsapp.message.status_updated',
        ...overrides,
      });
    await publishAttempts(
      of(1, { attemptedAt: ago(3), latencyMs: 15 }),
      of(2, {
        attemptedAt: ago(2),
        outcome: 'suppressed',
        statusCode: null,
        latencyMs: 0,
        error: reason,
        responseBody: null,
      }),
    );

    // when both are recorded, then the suppressed one is listed by its outcome, with the reason
    const suppressed = await eventually(
      async () => {
        const res = await get<DeliveryList>('/deliveries?topic=delivery_status&outcome=suppressed');
        return res.body.items?.length === 1 ? res.body.items : undefined;
      },
      { what: 'the suppressed status recorded' },
    );
    expect(suppressed[0]).toEqual(
      expect.objectContaining({ id: 'dlv_s2', outcome: 'suppressed', error: reason }),
    );
    // and the endpoint's health counts the one request it got, which succeeded
    const health = await eventually(
      async () => {
        const res = await get<WebhookHealth>('/webhooks/delivery_status/health');
        return res.body.windows?.['1h'].attempts === 1 ? res.body : undefined;
      },
      { what: 'the health figures' },
    );
    expect(health.windows['1h']).toEqual(
      expect.objectContaining({ attempts: 1, succeeded: 1, failed: 0, successRate: 1 }),
    );
    expect(health.last24h).toEqual({ succeeded: 1, failed: 0, deadLettered: 0 });
    expect(health.consecutiveFailures).toBe(0);
    expect(health.lastError).toBeNull();
  });

  it('sends retry, recover and test commands; a test answers how its attempt went', async () => {
    const retry = await post<CommandAccepted>('/deliveries/dlv_1/retry');
    expect(retry.statusCode).toBe(202);
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const recover = await post<CommandAccepted>('/webhooks/messages/recover', { since });
    expect(recover.statusCode).toBe(202);

    // when a test is asked for, it waits for the delivery service's attempt
    const pending = post<TestDeliveryResult>('/webhooks/messages/test');

    const commands = await eventually(
      async () => {
        const messages = await service.readTopic(service.topic(DeliveryCommandsTopic));
        return messages.length >= 3 ? messages : undefined;
      },
      { what: 'three commands' },
    );
    const decoded = commands.map((m) => {
      const result = decode(DeliveryCommandsTopic, m.value);
      if (!result.ok) throw new Error(result.message);
      expect(m.key).toBe(a.id);
      return result.value;
    });
    expect(decoded).toEqual([
      expect.objectContaining({
        type: 'retry',
        id: retry.body.commandId,
        businessId: a.id,
        deliveryId: 'dlv_1',
      }),
      expect.objectContaining({
        type: 'recover',
        id: recover.body.commandId,
        subscriptionId: webhook.id,
        topic: 'messages',
        since,
      }),
      expect.objectContaining({
        type: 'test',
        subscriptionId: webhook.id,
        requestId: expect.any(String),
      }),
    ]);
    const command = decoded[2]!;
    if (command.type !== 'test') throw new Error('expected the test command');

    // and the delivery service announces the test event's attempt (eventId = requestId)
    const testAttempt = attempt({
      deliveryId: `dlv_test_${command.requestId}`,
      eventId: command.requestId,
      eventType: 'webhook.test',
      attemptedAt: new Date().toISOString(),
      outcome: 'failed',
      statusCode: 500,
      latencyMs: 87.5,
      error: 'HTTP 500',
      responseBody: 'boom',
    });
    await publishAttempts(testAttempt);

    // then the test call answers with that attempt's outcome
    const test = await pending;
    expect(test.statusCode).toBe(200);
    expect(test.body).toEqual({
      requestId: command.requestId,
      outcome: 'failed',
      statusCode: 500,
      latencyMs: 87.5,
      error: 'HTTP 500',
      responseBody: 'boom',
      attemptedAt: testAttempt.attemptedAt,
    });
  });

  it('refuses commands for what the business does not have, and bad recovery times', async () => {
    const cases: [string, unknown, number, string | undefined][] = [
      ['/deliveries/dlv_b/retry', undefined, 404, 'delivery_not_found'],
      ['/webhooks/calls/test', undefined, 404, 'webhook_not_found'],
      ['/webhooks/calls/recover', { since: new Date().toISOString() }, 404, 'webhook_not_found'],
      ['/webhooks/orders/test', undefined, 400, 'invalid_request'],
      [
        '/webhooks/messages/recover',
        { since: new Date(Date.now() + 60_000).toISOString() },
        400,
        'invalid_request',
      ],
      [
        '/webhooks/messages/recover',
        { since: new Date(Date.now() - 31 * 86_400_000).toISOString() },
        400,
        'invalid_request',
      ],
      // Within RECOVER_MAX_AGE_DAYS (30), as far back as dead letters are kept.
      [
        '/webhooks/messages/recover',
        { since: new Date(Date.now() - 29 * 86_400_000).toISOString() },
        202,
        undefined,
      ],
      ['/webhooks/messages/recover', { since: 'yesterday' }, 400, 'invalid_request'],
      ['/webhooks/messages/recover', { since: '0000-01-01T00:00:00Z' }, 400, 'invalid_request'],
      [
        '/webhooks/messages/recover',
        { since: '2026-01-01T00:00:00+23:00' },
        400,
        'invalid_request',
      ],
      ['/webhooks/messages/recover', {}, 400, 'invalid_request'],
    ];
    for (const [url, payload, status, code] of cases) {
      const res = await post(url, payload);
      expect({ url, payload, status: res.statusCode, code: res.body.error?.code }).toEqual({
        url,
        payload,
        status,
        code,
      });
    }
    const foreign = await post('/webhooks/messages/test', undefined, b);
    expect(foreign.statusCode).toBe(404);
    const viaB = await service.request<ErrorBody>({
      method: 'POST',
      url: `/v1/businesses/${a.id}/webhooks/messages/test`,
      headers: { 'x-api-key': b.apiKey.key },
    });
    expect(viaB.body.error.code).toBe('business_not_found');
  });

  it('answers 504 when no attempt of the test arrives in time', async () => {
    await service.restart({ TEST_DELIVERY_TIMEOUT_MS: '300' });
    const started = Date.now();
    const res = await post('/webhooks/messages/test');
    expect(res.statusCode).toBe(504);
    expect(res.body.error).toEqual({
      code: 'test_delivery_timeout',
      message: expect.stringMatching(
        /^No attempt of test [0-9a-f-]{36} was recorded within 300 ms/,
      ),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});
