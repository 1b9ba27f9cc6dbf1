import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import {
  type CloudEvent,
  decode,
  type DeliveryAttempt,
  DeliveryAttemptsTopic,
  DeliveryCommandsTopic,
  encodeMessage,
  examples,
} from '@switchboard/contracts';
import { eventually } from '@switchboard/testing';
import { createAuditViews, insertAuditRow } from '../../test/audit-views';
import { AdminGrpcClient, grpcFailure } from '../../test/grpc-client';
import { SubscriptionsUnderTest } from '../../test/subscriptions-app';

interface CreatedBusiness {
  id: string;
  apiKey: { id: string; key: string; prefix: string };
}

interface ProtoDelivery {
  id: string;
  outcome: string;
  attemptCount: number;
  statusCode?: number;
  error?: string;
}

interface ProtoWindow {
  attempts: number;
  succeeded: number;
  failed: number;
  successRate?: number;
  p50LatencyMs?: number;
  p95LatencyMs?: number;
}

describe('delivery log, health, commands and events over gRPC (real PostgreSQL and Kafka)', () => {
  const service = new SubscriptionsUnderTest();
  let client: AdminGrpcClient;
  let a: CreatedBusiness;
  let b: CreatedBusiness;
  let aKey: Record<string, string>;
  let subscriptionId: string;
  const base = Date.now() - 30 * 60_000;
  const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();

  function attempt(overrides: Partial<DeliveryAttempt> & Pick<DeliveryAttempt, 'deliveryId'>) {
    return {
      id: randomUUID(),
      eventId: `evt_${overrides.deliveryId}`,
      eventType: 'whatsapp.message.received',
      businessId: a.id,
      subscriptionId,
      topic: 'messages',
      attempt: 1,
      attemptedAt: at(0),
      outcome: 'succeeded',
      statusCode: 200,
      latencyMs: 10,
      error: null,
      responseBody: 'ok',
      nextAttemptAt: null,
      ...overrides,
    } satisfies DeliveryAttempt;
  }

  async function publishAttempts(...attempts: DeliveryAttempt[]): Promise<void> {
    await service.produce(
      service.topic(DeliveryAttemptsTopic),
      attempts.map((x) => encodeMessage(DeliveryAttemptsTopic, x)),
    );
  }

  beforeAll(async () => {
    await service.start({ TEST_DELIVERY_TIMEOUT_MS: '60000' });
    client = new AdminGrpcClient(service.grpcAddress);
    const operator = service.operator();
    a = await client.call<CreatedBusiness>('Businesses', 'CreateBusiness', { name: 'A' }, operator);
    b = await client.call<CreatedBusiness>('Businesses', 'CreateBusiness', { name: 'B' }, operator);
    aKey = { 'x-api-key': a.apiKey.key };
    const created = await client.call<{ webhook: { id: string } }>(
      'Webhooks',
      'CreateWebhook',
      { businessId: a.id, topic: 'messages', address: 'https://127.0.0.1/grpc' },
      aKey,
    );
    subscriptionId = created.webhook.id;
    await publishAttempts(
      attempt({
        deliveryId: 'dlv_1',
        attemptedAt: at(1),
        outcome: 'failed',
        statusCode: 503,
        error: 'HTTP 503',
        latencyMs: 40,
        nextAttemptAt: at(6),
      }),
      attempt({ deliveryId: 'dlv_1', attempt: 2, attemptedAt: at(6), latencyMs: 20 }),
      attempt({
        deliveryId: 'dlv_2',
        attemptedAt: at(10),
        outcome: 'dead_lettered',
        statusCode: null,
        error: 'timeout',
        responseBody: null,
        latencyMs: 30,
      }),
      attempt({ deliveryId: 'dlv_b', businessId: b.id, subscriptionId: 'sub_b' }),
    );
    await eventually(
      async () => {
        const list = await client.call<{ items?: ProtoDelivery[] }>(
          'Deliveries',
          'ListDeliveries',
          { businessId: a.id },
          aKey,
        );
        return list.items?.length === 2 && list.items[1]?.attemptCount === 2 ? true : undefined;
      },
      { what: 'the attempts in the log' },
    );
  });
  afterAll(async () => {
    client?.close();
    await service.stop();
  });

  it('lists and reads deliveries like REST', async () => {
    const list = await client.call<{ items: ProtoDelivery[]; nextCursor?: string }>(
      'Deliveries',
      'ListDeliveries',
      { businessId: a.id },
      aKey,
    );
    expect(list.items).toEqual([
      expect.objectContaining({
        id: 'dlv_2',
        outcome: 'dead_lettered',
        attemptCount: 1,
        error: 'timeout',
        lastAttemptAt: at(10),
      }),
      expect.objectContaining({ id: 'dlv_1', outcome: 'succeeded', attemptCount: 2 }),
    ]);
    expect(list.items[0]!.statusCode).toBeUndefined();
    expect(list.nextCursor).toBeUndefined();

    const page = await client.call<{ items: ProtoDelivery[]; nextCursor?: string }>(
      'Deliveries',
      'ListDeliveries',
      { businessId: a.id, limit: 1 },
      aKey,
    );
    expect(page.items.map((d) => d.id)).toEqual(['dlv_2']);
    const next = await client.call<{ items: ProtoDelivery[] }>(
      'Deliveries',
      'ListDeliveries',
      { businessId: a.id, limit: 1, cursor: page.nextCursor },
      aKey,
    );
    expect(next.items.map((d) => d.id)).toEqual(['dlv_1']);
    const dead = await client.call<{ items: ProtoDelivery[] }>(
      'Deliveries',
      'ListDeliveries',
      { businessId: a.id, outcome: 'dead_lettered' },
      aKey,
    );
    expect(dead.items.map((d) => d.id)).toEqual(['dlv_2']);
    const ranged = await client.call<{ items: ProtoDelivery[] }>(
      'Deliveries',
      'ListDeliveries',
      { businessId: a.id, eventType: 'whatsapp.message.*', until: at(10) },
      aKey,
    );
    expect(ranged.items.map((d) => d.id)).toEqual(['dlv_1']);
    const otherFamily = await client.call<{ items?: ProtoDelivery[] }>(
      'Deliveries',
      'ListDeliveries',
      { businessId: a.id, eventType: 'platform.*', since: at(0) },
      aKey,
    );
    expect(otherFamily.items ?? []).toEqual([]);
    const since = await client.call<{ items: ProtoDelivery[] }>(
      'Deliveries',
      'ListDeliveries',
      { businessId: a.id, eventType: 'whatsapp.message.received', since: at(7) },
      aKey,
    );
    expect(since.items.map((d) => d.id)).toEqual(['dlv_2']);

    const detail = await client.call<{
      delivery: ProtoDelivery;
      attempts: { attempt: number; outcome: string; statusCode?: number; latencyMs: number }[];
    }>('Deliveries', 'GetDelivery', { businessId: a.id, deliveryId: 'dlv_1' }, aKey);
    expect(detail.delivery).toEqual(expect.objectContaining({ id: 'dlv_1', attemptCount: 2 }));
    expect(detail.attempts).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'failed', statusCode: 503, latencyMs: 40 }),
      expect.objectContaining({ attempt: 2, outcome: 'succeeded', statusCode: 200, latencyMs: 20 }),
    ]);

    expect(
      await grpcFailure(
        client.call('Deliveries', 'ListDeliveries', { businessId: a.id, limit: 500 }, aKey),
      ),
    ).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'limit: Too big: expected number to be <=200',
      errorCode: 'invalid_request',
    });
  });

  it('answers endpoint health with windows, percentiles and the last error', async () => {
    const health = await client.call<{
      subscriptionId: string;
      state: string;
      health?: unknown;
      lastDayCounts: { succeeded?: number; failed?: number; deadLettered?: number };
      lastHour: ProtoWindow;
      lastDay: ProtoWindow;
      consecutiveFailures?: number;
      lastError?: { at: string; statusCode?: number; error?: string };
    }>('Deliveries', 'GetWebhookHealth', { businessId: a.id, topic: 'messages' }, aKey);
    expect(health.subscriptionId).toBe(subscriptionId);
    expect(health.state).toBe('active');
    expect(health.health).toBeUndefined();
    expect(health.lastDayCounts).toEqual({ succeeded: 1, failed: 1, deadLettered: 1 });
    // latencies 20, 30, 40 ms: p50 30, p95 39
    for (const window of [health.lastHour, health.lastDay]) {
      expect(window).toEqual({
        attempts: 3,
        succeeded: 1,
        failed: 2,
        successRate: expect.closeTo(1 / 3, 6),
        p50LatencyMs: 30,
        p95LatencyMs: expect.closeTo(39, 6),
      });
    }
    expect(health.consecutiveFailures).toBe(1);
    expect(health.lastError).toEqual({ at: at(10), error: 'timeout' });
  });

  it('sends retry and recover commands, and answers a test with its attempt', async () => {
    const retry = await client.call<{ commandId: string }>(
      'Deliveries',
      'RetryDelivery',
      { businessId: a.id, deliveryId: 'dlv_1' },
      aKey,
    );
    expect(retry.commandId).toEqual(expect.any(String));
    const recover = await client.call<{ commandId: string }>(
      'Deliveries',
      'RecoverDeliveries',
      { businessId: a.id, topic: 'messages', since: new Date(Date.now() - 60_000).toISOString() },
      aKey,
    );
    expect(recover.commandId).toEqual(expect.any(String));
    expect(
      await grpcFailure(
        client.call(
          'Deliveries',
          'RecoverDeliveries',
          { businessId: a.id, topic: 'messages', since: 'yesterday' },
          aKey,
        ),
      ),
    ).toEqual(expect.objectContaining({ code: status.INVALID_ARGUMENT }));

    const pending = client.call<Record<string, unknown>>(
      'Deliveries',
      'TestWebhook',
      { businessId: a.id, topic: 'messages' },
      aKey,
    );
    const requestId = await eventually(
      async () => {
        for (const m of await service.readTopic(service.topic(DeliveryCommandsTopic))) {
          const command = decode(DeliveryCommandsTopic, m.value);
          if (command.ok && command.value.type === 'test') return command.value.requestId;
        }
        return undefined;
      },
      { what: 'the test command' },
    );
    const testAttempt = attempt({
      deliveryId: `dlv_test_${requestId}`,
      eventId: requestId,
      eventType: 'webhook.test',
      attemptedAt: new Date().toISOString(),
      latencyMs: 5.5,
      responseBody: 'pong',
    });
    await publishAttempts(testAttempt);
    expect(await pending).toEqual({
      requestId,
      outcome: 'succeeded',
      statusCode: 200,
      latencyMs: 5.5,
      responseBody: 'pong',
      attemptedAt: testAttempt.attemptedAt,
    });
  });

  it("scopes every operation to the key's business", async () => {
    for (const [method, request] of [
      ['ListDeliveries', { businessId: b.id }],
      ['GetDelivery', { businessId: b.id, deliveryId: 'dlv_b' }],
      ['RetryDelivery', { businessId: b.id, deliveryId: 'dlv_b' }],
      ['RecoverDeliveries', { businessId: b.id, topic: 'messages', since: at(0) }],
      ['TestWebhook', { businessId: b.id, topic: 'messages' }],
      ['GetWebhookHealth', { businessId: b.id, topic: 'messages' }],
    ] as const) {
      expect({
        method,
        ...(await grpcFailure(client.call('Deliveries', method, request, aKey))),
      }).toEqual({
        method,
        code: status.NOT_FOUND,
        details: expect.any(String),
        errorCode: 'business_not_found',
      });
    }
    expect(
      await grpcFailure(client.call('Events', 'ListEvents', { businessId: b.id }, aKey)),
    ).toEqual(expect.objectContaining({ code: status.NOT_FOUND, errorCode: 'business_not_found' }));
    // B's own delivery is not in A's log; no key is UNAUTHENTICATED
    expect(
      await grpcFailure(
        client.call('Deliveries', 'GetDelivery', { businessId: a.id, deliveryId: 'dlv_b' }, aKey),
      ),
    ).toEqual(expect.objectContaining({ code: status.NOT_FOUND, errorCode: 'delivery_not_found' }));
    expect(
      await grpcFailure(client.call('Deliveries', 'ListDeliveries', { businessId: a.id })),
    ).toEqual(expect.objectContaining({ code: status.UNAUTHENTICATED, errorCode: 'unauthorized' }));
    expect(
      await grpcFailure(
        client.call('Deliveries', 'GetWebhookHealth', { businessId: a.id, topic: 'calls' }, aKey),
      ),
    ).toEqual(expect.objectContaining({ code: status.NOT_FOUND, errorCode: 'webhook_not_found' }));
  });

  it('lists and searches inbound events, UNAVAILABLE until the normalizer audit views exist', async () => {
    expect(
      await grpcFailure(client.call('Events', 'ListEvents', { businessId: a.id }, aKey)),
    ).toEqual(
      expect.objectContaining({ code: status.UNAVAILABLE, errorCode: 'events_unavailable' }),
    );
    await createAuditViews(service);
    const events = [
      [a, 'whatsapp.message.received', 'messages', '2026-03-10T10:00:00Z'],
      [a, 'platform.campaign.started', 'platform', '2026-03-10T12:00:00Z'],
      [b, 'whatsapp.message.received', 'messages', '2026-03-10T11:00:00Z'],
    ].map(
      ([business, type, topic, time]) =>
        ({
          ...structuredClone(examples.CloudEvent),
          id: randomUUID(),
          businessid: (business as CreatedBusiness).id,
          type,
          topic,
          time,
        }) as CloudEvent,
    );
    for (const e of events) {
      await insertAuditRow(service, 'audit.events_v1', {
        id: e.id,
        raw_id: randomUUID(),
        business_id: e.businessid,
        type: e.type,
        topic: e.topic,
        contact_phone: e.topic === 'messages' ? '16505551234' : null,
        occurred_at: e.time,
        event: JSON.stringify(e),
      });
    }
    const list = await client.call<{
      items: { id: string; type: string; topic: string; time: string; json: string }[];
      nextCursor?: string;
    }>('Events', 'ListEvents', { businessId: a.id }, aKey);
    expect(list.items.map((e) => e.id)).toEqual([events[1]!.id, events[0]!.id]);
    expect(list.items[0]).toEqual(
      expect.objectContaining({ type: 'platform.campaign.started', topic: 'platform' }),
    );
    expect(JSON.parse(list.items[0]!.json)).toEqual(events[1]);
    expect(list.nextCursor).toBeUndefined();
    const filtered = await client.call<{ items: { id: string }[] }>(
      'Events',
      'ListEvents',
      { businessId: a.id, type: 'whatsapp.message.*', limit: 1 },
      aKey,
    );
    expect(filtered.items.map((e) => e.id)).toEqual([events[0]!.id]);
    for (const search of [
      { phone: '+16505551234' },
      { q: '16505551234' },
      { eventId: events[0]!.id },
    ]) {
      const found = await client.call<{ items: { id: string }[] }>(
        'Events',
        'ListEvents',
        { businessId: a.id, ...search },
        aKey,
      );
      expect({ search, ids: found.items.map((e) => e.id) }).toEqual({
        search,
        ids: [events[0]!.id],
      });
    }
    expect(
      await grpcFailure(
        client.call('Events', 'ListEvents', { businessId: a.id, since: 'yesterday' }, aKey),
      ),
    ).toEqual(
      expect.objectContaining({ code: status.INVALID_ARGUMENT, errorCode: 'invalid_request' }),
    );
  });

  it('answers DEADLINE_EXCEEDED when no test attempt arrives in time', async () => {
    client.close();
    await service.restart({ TEST_DELIVERY_TIMEOUT_MS: '300' });
    client = new AdminGrpcClient(service.grpcAddress);
    expect(
      await grpcFailure(
        client.call('Deliveries', 'TestWebhook', { businessId: a.id, topic: 'messages' }, aKey),
      ),
    ).toEqual(
      expect.objectContaining({
        code: status.DEADLINE_EXCEEDED,
        errorCode: 'test_delivery_timeout',
      }),
    );
  });
});
