import { type CloudEvent, encode, publicTopic } from '@switchboard/contracts';
import { loadConfig } from '@switchboard/service-kit';
import { Registry } from 'prom-client';
import { cloudEvent, subscriptionRecord } from '../../test/builders';
import { DeliveryConfig } from '../config/delivery.config';
import { SubscriptionLanes } from '../sending/subscription-lanes';
import { SubscriptionRegistry } from '../subscriptions/subscription-registry';
import type { AttemptService, DeliveryToAttempt } from './attempt.service';
import { BusinessQuotas } from './business-quotas';
import { deliveryIdOf } from './delivery-id';
import { DeliveryMetrics } from './delivery.metrics';
import type { DeliveryRepository, NewDelivery } from './delivery.repository';
import { type ConsumedEvent, DispatchService } from './dispatch.service';
import { testDataKeys } from '@switchboard/testing';

/** The repository port, in memory. */
class InMemoryDeliveries {
  readonly rows = new Map<string, NewDelivery>();
  statements = 0;
  /** Each call of markHeads: the ids asked about. */
  readonly headLookups: string[][] = [];
  /** Which ids markHeads takes as heads (the database decides that; here the test does). */
  heads = new Set<string>();

  async markHeads(deliveries: readonly { id: string }[]): Promise<Set<string>> {
    this.headLookups.push(deliveries.map((d) => d.id));
    return new Set(deliveries.map((d) => d.id).filter((id) => this.heads.has(id)));
  }

  async insertPending(deliveries: readonly NewDelivery[]): Promise<Set<string>> {
    this.statements += 1;
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
  /** How many INSERT statements had run when each attempt started. */
  readonly statementsBefore: number[] = [];
  hold: Promise<void> | null = null;

  constructor(private readonly store: InMemoryDeliveries | null = null) {}

  leaseMs(): number {
    return 60_000;
  }

  async attempt(delivery: DeliveryToAttempt): Promise<'succeeded'> {
    this.attempted.push(delivery);
    this.statementsBefore.push(this.store?.statements ?? 0);
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
      new BusinessQuotas(new SubscriptionLanes({ concurrency: 1, queueLimit: 1 }), {
        maxInFlight: 100,
      }),
      (metrics = new DeliveryMetrics(new Registry())),
      config,
    );
  });
  let metrics: DeliveryMetrics;

  const record = (event: CloudEvent, offset = '0'): ConsumedEvent => ({
    topic: `switchboard.${event.topic}.v1`,
    partition: 0,
    offset,
    event,
    body: encode(publicTopic(event.topic), event).toString('utf8'),
  });
  const consumed = (...events: ReturnType<typeof cloudEvent>[]) =>
    events.map((e, i) => record(e, String(i)));

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

  it('measures how old each matched event is when delivery takes it', async () => {
    // given an event published to its topic two seconds ago, and one for nobody
    const mine = { ...consumed(cloudEvent({ businessid: sub.businessId }))[0]! };
    mine.timestamp = String(Date.now() - 2_000);
    const other = consumed(cloudEvent({ businessid: 'biz_nobody' }))[0]!;

    // when they are processed
    await service.process([mine, { ...other, timestamp: String(Date.now()) }]);

    // then the matched one is observed, about two seconds old
    const { values } = await metrics.eventAgeSeconds.get();
    expect(values.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(1);
    const sum = values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
    expect(sum).toBeGreaterThanOrEqual(2);
    expect(sum).toBeLessThan(60);
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

  it('skips an event found on a public topic other than its own', async () => {
    const event = cloudEvent({ businessid: sub.businessId });
    await service.process([{ ...record(event), topic: 'switchboard.templates.v1' }]);
    expect(deliveries.rows.size).toBe(0);
    await service.process([record(event)]);
    expect(deliveries.rows.size).toBe(1);
  });

  it('skips what a disabled subscription would get', async () => {
    registry.upsert({ ...sub, version: sub.version + 1, state: 'disabled' });
    await service.process(consumed(cloudEvent({ businessid: sub.businessId })));
    expect(deliveries.rows.size).toBe(0);
  });

  it("stores and attempts another business's events beside a flood, not after it", async () => {
    // given business A with 5,000 events in a batch ahead of business B's 10, statements of
    // 1,000 deliveries shared 100 per business and turn, and lanes that take everything
    const fair = loadConfig('delivery', DeliveryConfig, {
      DATA_KEYS: testDataKeys(),
      SUBSCRIPTION_CONCURRENCY: '1000',
      SUBSCRIPTION_QUEUE_LIMIT: '10000',
      BUSINESS_MAX_IN_FLIGHT: '100000',
      INSERT_BATCH_MAX: '1000',
      INSERT_BUSINESS_SHARE: '100',
    });
    const flooding = subscriptionRecord({ businessId: 'biz_flood' });
    const quiet = subscriptionRecord({ businessId: 'biz_quiet' });
    registry.upsert(flooding);
    registry.upsert(quiet);
    const store = new InMemoryDeliveries();
    const recording = new RecordingAttempts(store);
    const dispatch = new DispatchService(
      registry,
      store as unknown as DeliveryRepository,
      recording as unknown as AttemptService,
      new BusinessQuotas(new SubscriptionLanes({ concurrency: 1000, queueLimit: 10_000 }), {
        maxInFlight: 100_000,
      }),
      new DeliveryMetrics(new Registry()),
      fair,
    );
    const flood = Array.from({ length: 5_000 }, () => cloudEvent({ businessid: 'biz_flood' }));
    const few = Array.from({ length: 10 }, () => cloudEvent({ businessid: 'biz_quiet' }));

    // when the batch is processed
    await dispatch.process(consumed(...flood, ...few));
    await dispatch.drain();

    // then B's deliveries were stored by the first statement and attempted before the second,
    // while A's took five statements
    expect(store.statements).toBe(6);
    const quietStarts = recording.attempted
      .map((a, i) => (a.subscriptionId === quiet.id ? recording.statementsBefore[i]! : -1))
      .filter((n) => n >= 0);
    expect(quietStarts).toHaveLength(10);
    expect(Math.max(...quietStarts)).toBeLessThanOrEqual(2);
    const floodStarts = recording.attempted
      .map((a, i) => (a.subscriptionId === flooding.id ? recording.statementsBefore[i]! : -1))
      .filter((n) => n >= 0);
    expect(floodStarts).toHaveLength(5_000);
    expect(Math.max(...floodStarts)).toBe(6);
  });

  it("defers a business's deliveries to the scheduler beyond its quota, across its subscriptions", async () => {
    // given a quota of 3 places per business and attempts that do not finish
    let release!: () => void;
    attempts.hold = new Promise((resolve) => (release = resolve));
    const statuses = subscriptionRecord({ businessId: 'biz_busy', topic: 'delivery_status' });
    const messages = subscriptionRecord({ businessId: 'biz_busy', topic: 'messages' });
    const other = subscriptionRecord({ businessId: 'biz_other', topic: 'messages' });
    for (const r of [statuses, messages, other]) registry.upsert(r);
    const dispatch = new DispatchService(
      registry,
      deliveries as unknown as DeliveryRepository,
      attempts as unknown as AttemptService,
      new BusinessQuotas(new SubscriptionLanes({ concurrency: 10, queueLimit: 10 }), {
        maxInFlight: 3,
      }),
      new DeliveryMetrics(new Registry()),
      config,
    );
    const status = (i: number) =>
      cloudEvent({
        businessid: 'biz_busy',
        topic: 'delivery_status',
        type: 'whatsapp.message.status_updated',
        subject: `106540352242922:${i}`,
      });
    const busyMessages = [1, 2].map(() => cloudEvent({ businessid: 'biz_busy' }));
    const otherEvents = [1, 2].map(() => cloudEvent({ businessid: 'biz_other' }));

    // when the busy business has 2 events on each of its two subscriptions
    await dispatch.process([
      ...[1, 2].map((i) => ({
        ...record(status(i), String(i)),
      })),
      ...consumed(...busyMessages, ...otherEvents),
    ]);

    // then it holds 3 places over both subscriptions, the fourth is due at once in PostgreSQL,
    // and the other business is not held back
    const held = attempts.attempted.filter((a) => a.businessId === 'biz_busy');
    expect(held).toHaveLength(3);
    expect(attempts.attempted.filter((a) => a.businessId === 'biz_other')).toHaveLength(2);
    const deferred = [...deliveries.rows.values()].filter(
      (d) => d.businessId === 'biz_busy' && d.nextAttemptAt.getTime() <= Date.now(),
    );
    expect(deferred).toHaveLength(1);
    release();
    await dispatch.drain();
  });

  describe('ordered subscriptions', () => {
    const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString();
    const subject = '106540352242922:16505551234';

    function dispatchWith(...records: ReturnType<typeof subscriptionRecord>[]): DispatchService {
      for (const r of records) registry.upsert(r);
      return new DispatchService(
        registry,
        deliveries as unknown as DeliveryRepository,
        attempts as unknown as AttemptService,
        new BusinessQuotas(new SubscriptionLanes({ concurrency: 10, queueLimit: 10 }), {
          maxInFlight: 100,
        }),
        new DeliveryMetrics(new Registry()),
        config,
      );
    }

    it("attempts inline only its conversation's head; the others wait, due, in PostgreSQL", async () => {
      // given an ordered subscription and three events of one conversation, out of time order
      const ordered = subscriptionRecord({
        businessId: 'biz_ordered',
        configuration: { ordering: 'conversation' },
      });
      const dispatch = dispatchWith(ordered);
      const events = [3, 1, 2].map((second) =>
        cloudEvent({ businessid: 'biz_ordered', subject, time: at(second) }),
      );
      const ids = events.map((e) => deliveryIdOf(ordered.id, e.id));
      // (the database takes the earliest, at second 1, as the head)
      deliveries.heads = new Set([ids[1]!]);

      // when they are processed
      await dispatch.process(consumed(...events));
      await dispatch.drain();

      // then each is stored with its conversation and event time, due at once (no lease)
      for (const [i, event] of events.entries()) {
        expect(deliveries.rows.get(ids[i]!)).toMatchObject({
          orderingKey: subject,
          eventTime: new Date(event.time),
          messageId: null,
        });
        expect(deliveries.rows.get(ids[i]!)!.nextAttemptAt.getTime()).toBeLessThanOrEqual(
          Date.now(),
        );
      }
      // and the heads were looked up once for all three, and only the head was attempted
      expect(deliveries.headLookups).toEqual([ids]);
      expect(attempts.attempted.map((a) => a.id)).toEqual([ids[1]]);
      expect(attempts.attempted[0]!.headSince).toBeInstanceOf(Date);
    });

    it('looks up no head for an unordered subscription and stores no ordering fields', async () => {
      // given an unordered subscription
      const plain = subscriptionRecord({ businessId: 'biz_plain' });
      const dispatch = dispatchWith(plain);

      // when events of one conversation are processed
      const events = [1, 2].map((second) =>
        cloudEvent({ businessid: 'biz_plain', subject, time: at(second) }),
      );
      await dispatch.process(consumed(...events));
      await dispatch.drain();

      // then both are attempted at once, and nothing is stored or asked for ordering
      expect(attempts.attempted).toHaveLength(2);
      expect(deliveries.headLookups).toEqual([]);
      for (const row of deliveries.rows.values()) {
        expect(row).toMatchObject({ orderingKey: null, eventTime: null, messageId: null });
      }
    });

    it("stores a status's message id and rank for a subscription keeping statuses monotonic", async () => {
      // given a statuses subscription keeping them monotonic, unordered
      const monotonic = subscriptionRecord({
        businessId: 'biz_monotonic',
        topic: 'delivery_status',
        configuration: { statusMonotonic: true },
      });
      const dispatch = dispatchWith(monotonic);
      const status = cloudEvent({
        businessid: 'biz_monotonic',
        topic: 'delivery_status',
        type: 'whatsapp.message.status_updated',
        data: { messageId: 'wamid.M', status: 'delivered' },
      });

      // when it is processed
      await dispatch.process(consumed(status));
      await dispatch.drain();

      // then the delivery carries the wamid and the rank of delivered, and goes inline
      expect(deliveries.rows.get(deliveryIdOf(monotonic.id, status.id))).toMatchObject({
        orderingKey: null,
        messageId: 'wamid.M',
        statusRank: 2,
      });
      expect(attempts.attempted).toHaveLength(1);
      expect(deliveries.headLookups).toEqual([]);
    });
  });
});
