import { randomUUID } from 'node:crypto';
import {
  type DeliveryAttempt,
  DeliveryAttemptsTopic,
  encodeMessage,
  type SubscriptionHealthEvent,
  SubscriptionEventsTopic,
} from '@switchboard/contracts';
import { eventually } from '@switchboard/testing';
import { SubscriptionsUnderTest } from '../../test/subscriptions-app';
import type { CreatedBusiness } from '../businesses/businesses.schemas';
import type { CreatedWebhook } from '../webhooks/webhooks.schemas';
import type { WebhookHealthStats } from './health-stats.schemas';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('HealthStatsService (real PostgreSQL and Kafka)', () => {
  const service = new SubscriptionsUnderTest();
  let a: CreatedBusiness;
  let b: CreatedBusiness;
  let webhook: CreatedWebhook;
  const now = Date.now();
  const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

  function attempt(minutesAgo: number, outcome: DeliveryAttempt['outcome'], latencyMs: number) {
    const deliveryId = `dlv_${randomUUID()}`;
    return {
      id: randomUUID(),
      deliveryId,
      eventId: `evt_${deliveryId}`,
      eventType: 'whatsapp.message.received',
      businessId: a.id,
      subscriptionId: webhook.id,
      topic: 'messages',
      attempt: 1,
      attemptedAt: ago(minutesAgo),
      outcome,
      statusCode: outcome === 'succeeded' ? 200 : 503,
      latencyMs,
      error: outcome === 'succeeded' ? null : 'HTTP 503',
      responseBody: outcome === 'succeeded' ? 'ok' : 'busy',
      nextAttemptAt: null,
    } satisfies DeliveryAttempt;
  }

  function get<T>(url: string, business = a) {
    return service.request<T & ErrorBody>({
      method: 'GET',
      url: `/v1/businesses/${business.id}${url}`,
      headers: { 'x-api-key': business.apiKey.key },
    });
  }

  beforeAll(async () => {
    await service.start();
    const create = async (name: string) => await service.createBusiness({ name });
    a = await create('A');
    b = await create('B');
    webhook = (
      await service.request<CreatedWebhook>({
        method: 'POST',
        url: `/v1/businesses/${a.id}/webhooks`,
        headers: { 'x-api-key': a.apiKey.key },
        payload: { topic: 'messages', address: 'https://127.0.0.1/a' },
      })
    ).body;
  });
  afterAll(() => service.stop());

  it('answers success rate and p50/p99 per window and bucket, and the state changes', async () => {
    // given: 3 days ago a success; 5 hours ago 2 successes; 33 to 31.5 min ago 4 failures (one 5 min bucket); 10 min ago a success
    const attempts = [
      attempt(3 * 24 * 60, 'succeeded', 10),
      attempt(5 * 60, 'succeeded', 20),
      attempt(5 * 60 - 1, 'succeeded', 40),
      ...[33, 32.5, 32, 31.5].map((m) => attempt(m, 'failed', 1000)),
      attempt(10, 'succeeded', 100),
    ];
    await service.produce(
      service.topic(DeliveryAttemptsTopic),
      attempts.map((x) => encodeMessage(DeliveryAttemptsTopic, x)),
    );
    const disabled: SubscriptionHealthEvent = {
      id: randomUUID(),
      type: 'subscription.failing',
      businessId: a.id,
      subscriptionId: webhook.id,
      topic: 'messages',
      occurredAt: ago(26),
      reason: '4 consecutive failures (last: HTTP 503)',
      consecutiveFailures: 4,
    };
    await service.produce(service.topic(SubscriptionEventsTopic), [
      encodeMessage(SubscriptionEventsTopic, disabled),
    ]);

    // when the log has them all
    const stats = await eventually(
      async () => {
        const res = await get<WebhookHealthStats>('/webhooks/messages/health/stats');
        return res.statusCode === 200 &&
          res.body.windows['7d'].attempts === 8 &&
          res.body.timeline.some((t) => t.source === 'announcement')
          ? res.body
          : undefined;
      },
      { what: 'eight attempts and the announcement in the aggregate' },
    );

    // then each window counts its own attempts, with percentiles of their latencies
    expect(stats.windows['1h']).toMatchObject({
      attempts: 5,
      succeeded: 1,
      failed: 4,
      successRate: 0.2,
      p50LatencyMs: 1000,
      bucketSeconds: 300,
    });
    expect(stats.windows['24h']).toMatchObject({ attempts: 7, succeeded: 3, p50LatencyMs: 1000 });
    expect(stats.windows['24h'].p99LatencyMs).toBeCloseTo(1000, 0);
    expect(stats.windows['7d']).toMatchObject({ attempts: 8, succeeded: 4, successRate: 0.5 });
    expect(stats.windows['7d'].p50LatencyMs).toBeCloseTo(550, 5); // between 100 and 1000

    // and the buckets cover the window, oldest first, adding up to its figures
    expect(stats.windows['1h'].buckets).toHaveLength(12);
    expect(stats.windows['24h'].buckets).toHaveLength(24);
    expect(stats.windows['7d'].buckets).toHaveLength(28);
    for (const name of ['1h', '24h', '7d'] as const) {
      const w = stats.windows[name];
      expect(w.buckets.reduce((n, x) => n + x.attempts, 0)).toBe(w.attempts);
      expect(w.buckets[0]!.start).toBe(w.from);
    }
    const failingBucket = stats.windows['1h'].buckets.find((x) => x.failed === 4);
    expect(failingBucket).toMatchObject({ attempts: 4, successRate: 0, p99LatencyMs: 1000 });

    // and the timeline shows active, then failing, the announcement, then recovered
    expect(stats.timeline.map((t) => [t.state, t.source])).toEqual([
      ['active', 'attempts'],
      ['failing', 'attempts'],
      ['failing', 'announcement'],
      ['recovered', 'attempts'],
    ]);
    expect(stats.timeline[1]).toMatchObject({ at: ago(33), detail: 'HTTP 503: HTTP 503' });
    expect(stats.consecutiveFailures).toBe(0);
    expect(stats.lastError).toEqual({
      at: ago(31.5),
      statusCode: 503,
      error: 'HTTP 503',
      responseSnippet: 'busy',
    });
  });

  it('answers 404 for another business and for a topic without a subscription', async () => {
    const other = await get('/webhooks/messages/health/stats', b);
    expect(other.statusCode).toBe(404);
    const none = await get('/webhooks/calls/health/stats');
    expect(none.statusCode).toBe(404);
    expect(none.body.error.code).toBe('webhook_not_found');
  });
});
