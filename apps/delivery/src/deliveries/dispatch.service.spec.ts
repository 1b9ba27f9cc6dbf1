import { encode, publicTopic } from '@switchboard/contracts';
import { loadConfig } from '@switchboard/service-kit';
import { Registry } from 'prom-client';
import { cloudEvent, subscriptionRecord } from '../../test/builders';
import { DeliveryConfig } from '../config/delivery.config';
import { SubscriptionLanes } from '../sending/subscription-lanes';
import { SubscriptionRegistry } from '../subscriptions/subscription-registry';
import type { AttemptService, DeliveryToAttempt } from './attempt.service';
import { deliveryIdOf } from './delivery-id';
import { DeliveryMetrics } from './delivery.metrics';
import type { DeliveryRepository, NewDelivery } from './delivery.repository';
import { type ConsumedEvent, DispatchService } from './dispatch.service';
import { testDataKeys } from '@switchboard/testing';

/** The repository port, in memory. */
class InMemoryDeliveries {
  readonly rows = new Map<string, NewDelivery>();

  async insertPending(deliveries: readonly NewDelivery[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    for (const d of deliveries) {
      if (this.rows.has(d.id)) continue;
      this.rows.set(d.id, d);
      inserted.add(d.id);
    }
    return inserted;
  }
}

/** The attempt port: records what it is asked to attempt, and can hold attempts open. */
class RecordingAttempts {
  readonly attempted: DeliveryToAttempt[] = [];
  hold: Promise<void> | null = null;

  leaseMs(): number {
    return 60_000;
  }

  async attempt(delivery: DeliveryToAttempt): Promise<'succeeded'> {
    this.attempted.push(delivery);
    if (this.hold) await this.hold;
    return 'succeeded';
  }
}

describe(DispatchService.name, () => {
  const config = loadConfig('delivery', DeliveryConfig, {
    DATA_KEYS: testDataKeys(),
    INLINE_ATTEMPT_DEADLINE_MS: '50',
    SUBSCRIPTION_CONCURRENCY: '1',
    SUBSCRIPTION_QUEUE_LIMIT: '1',
  });
  const sub = subscriptionRecord({ businessId: 'biz_dispatch' });
  let registry: SubscriptionRegistry;
  let deliveries: InMemoryDeliveries;
  let attempts: RecordingAttempts;
  let service: DispatchService;

  beforeEach(() => {
    registry = new SubscriptionRegistry();
    registry.upsert(sub);
    deliveries = new InMemoryDeliveries();
    attempts = new RecordingAttempts();
    service = new DispatchService(
      registry,
      deliveries as unknown as DeliveryRepository,
      attempts as unknown as AttemptService,
      new SubscriptionLanes({ concurrency: 1, queueLimit: 1 }),
      new DeliveryMetrics(new Registry()),
      config,
    );
  });

  const record = (value: Buffer | null, offset = '0'): ConsumedEvent => ({
    topic: 'switchboard.messages.v1',
    partition: 0,
    offset,
    value,
  });
  const consumed = (...events: ReturnType<typeof cloudEvent>[]) =>
    events.map((e, i) => record(encode(publicTopic('messages'), e), String(i)));

  it('stores a delivery per match before attempting it, the body being the event as consumed', async () => {
    // given an event for the subscription and one for a business without one
    const mine = cloudEvent({ businessid: sub.businessId });
    const other = cloudEvent({ businessid: 'biz_nobody' });

    // when the batch is processed
    await service.process(consumed(mine, other));

    // then one delivery is stored under its deterministic id and attempted once
    const id = deliveryIdOf(sub.id, mine.id);
    expect([...deliveries.rows.keys()]).toEqual([id]);
    expect(JSON.parse(deliveries.rows.get(id)!.body)).toEqual(mine);
    expect(attempts.attempted.map((a) => [a.id, a.attempts])).toEqual([[id, 0]]);
  });

  it('does not attempt an event again when it is consumed again', async () => {
    const event = cloudEvent({ businessid: sub.businessId });
    await service.process(consumed(event));
    await service.process(consumed(event, event));
    expect(attempts.attempted).toHaveLength(1);
  });

  it('leaves deliveries to the scheduler, due at once, when the lane is full', async () => {
    // given attempts that do not finish
    let release!: () => void;
    attempts.hold = new Promise((resolve) => (release = resolve));
    const events = [1, 2, 3].map(() => cloudEvent({ businessid: sub.businessId }));
    const before = Date.now();

    // when three events arrive for a lane of one slot and one place in the queue
    await service.process(consumed(...events));

    // then one is attempted, one waits in the lane, and the third is stored due now
    expect(attempts.attempted).toHaveLength(1);
    const third = deliveries.rows.get(deliveryIdOf(sub.id, events[2]!.id))!;
    expect(third.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    const first = deliveries.rows.get(deliveryIdOf(sub.id, events[0]!.id))!;
    expect(first.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    release();
    await service.drain();
    expect(attempts.attempted).toHaveLength(2);
  });

  it('skips what does not decode and what a disabled subscription would get', async () => {
    registry.upsert({ ...sub, version: sub.version + 1, state: 'disabled' });
    await service.process([
      record(Buffer.from('{not json')),
      record(null),
      ...consumed(cloudEvent({ businessid: sub.businessId })),
    ]);
    expect(deliveries.rows.size).toBe(0);
  });
});
