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
import type { CreatedWebhook } from '../webhooks/webhooks.schemas';
import type {
  CommandAccepted,
  DeliveryDetail,
  DeliveryList,
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
    await service.start();
    const create = async (name: string) =>
      (
        await service.request<CreatedBusiness>({
          method: 'POST',
          url: '/v1/businesses',
          headers: service.operator(),
          payload: { name },
        })
      ).body;
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

  it.each([
    ['/deliveries?limit=0', 'limit: Too small: expected number to be >=1'],
    ['/deliveries?limit=abc', 'limit: Invalid input: expected number, received NaN'],
    [
      '/deliveries?outcome=lost',
      'outcome: Invalid option: expected one of "succeeded"|"failed"|"dead_lettered"',
    ],
    ['/deliveries?cursor=nonsense', 'cursor: not a cursor this API gave'],
    ['/deliveries?order=asc', '(query): unknown field "order"'],
  ])('refuses %s', async (url, message) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.body.error.message).toBe(message);
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

  it('sends retry, recover and test commands to the delivery service', async () => {
    const retry = await post<CommandAccepted>('/deliveries/dlv_1/retry');
    expect(retry.statusCode).toBe(202);
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const recover = await post<CommandAccepted>('/webhooks/messages/recover', { since });
    expect(recover.statusCode).toBe(202);
    const test = await post<CommandAccepted>('/webhooks/messages/test');
    expect(test.statusCode).toBe(202);
    expect(test.body.requestId).toEqual(expect.any(String));

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
        id: test.body.commandId,
        subscriptionId: webhook.id,
        requestId: test.body.requestId,
      }),
    ]);
  });

  it('refuses commands for what the business does not have, and bad recovery times', async () => {
    const cases: [string, unknown, number, string][] = [
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
        { since: new Date(Date.now() - 8 * 86_400_000).toISOString() },
        400,
        'invalid_request',
      ],
      ['/webhooks/messages/recover', { since: 'yesterday' }, 400, 'invalid_request'],
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
});
