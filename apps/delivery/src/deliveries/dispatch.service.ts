import { Injectable, Logger } from '@nestjs/common';
import { type CloudEvent, SubscriptionTopic } from '@switchboard/contracts';
import { type TraceContext, withTraceContext } from '@switchboard/kafka';
import { errorMessage, InjectConfig } from '@switchboard/service-kit';
import type { DeliveryConfig } from '../config/delivery.config';
import { orderingFieldsOf } from '../ordering/ordering';
import type { LaneTicket } from '../sending/subscription-lanes';
import { type Subscription, SubscriptionRegistry } from '../subscriptions/subscription-registry';
import { AttemptService, type DeliveryToAttempt } from './attempt.service';
import { BusinessQuotas } from './business-quotas';
import { deliveryIdOf } from './delivery-id';
import { DeliveryMetrics } from './delivery.metrics';
import { DeliveryRepository, type NewDelivery } from './delivery.repository';
import { GroupCommit } from './group-commit';

/** One record of a public topic as consumed. */
export interface ConsumedEvent {
  topic: string;
  partition: number;
  offset: string;
  /** The event, decoded and checked against the public topics' schema. */
  event: CloudEvent;
  /** The record value as consumed: the event exactly as produced, unknown attributes included. */
  body: string;
  /** When the record was published (Kafka's timestamp, ms since the epoch), when known. */
  timestamp?: string;
  /** The event's trace (tracing on): its first attempt, outbound request included, joins it. */
  traceContext?: TraceContext;
}

interface Planned {
  delivery: NewDelivery;
  subscription: Subscription;
  ticket: LaneTicket | null;
  traceContext?: TraceContext;
}

/**
 * The use case for one consumed batch of canonical events: match each event to its subscription,
 * store a pending delivery for every match (a redelivered event finds its delivery and is
 * skipped), then make the first attempts, each in its subscription's lane. The batch waits for
 * them only up to a short deadline: every delivery is already stored, due once its lease ends, so
 * an attempt still running (a slow endpoint) finishes in the background or, after a crash, is
 * retried by the scheduler. A subscription whose lane is full, or a business whose quota is used
 * up, gets no inline attempt: its deliveries are due at once and the scheduler takes them as
 * places free up.
 *
 * Fair between businesses: each business's deliveries of the batch are stored, and then attempted,
 * on their own, through inserts shared with the batches of other partitions consumed at the same
 * moment and filled round-robin between businesses. A business whose events sit behind a flood
 * of another's in a partition is stored in the next statement and attempted at once, while the
 * flood is still being stored, instead of after it.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);
  private readonly background = new Set<Promise<void>>();
  /** Batches of several partitions consumed at once are stored by one statement. */
  private readonly inserts: GroupCommit<NewDelivery>;
  /** Conversation heads of the batches stored together are taken by one statement, too. */
  private readonly headMarks: GroupCommit<{ id: string; leaseMs: number }>;

  constructor(
    private readonly registry: SubscriptionRegistry,
    repository: DeliveryRepository,
    private readonly attempts: AttemptService,
    private readonly quotas: BusinessQuotas,
    private readonly metrics: DeliveryMetrics,
    @InjectConfig() private readonly config: DeliveryConfig,
  ) {
    this.inserts = new GroupCommit(
      (deliveries) => repository.insertPending(deliveries),
      (delivery) => delivery.id,
      { flushIntervalMs: 0, maxBatch: config.INSERT_BATCH_MAX },
      { tenantOf: (delivery) => delivery.businessId, share: config.INSERT_BUSINESS_SHARE },
    );
    this.headMarks = new GroupCommit(
      (deliveries) => repository.markHeads(deliveries, new Date()),
      (delivery) => delivery.id,
      { flushIntervalMs: 0, maxBatch: config.INSERT_BATCH_MAX },
    );
  }

  async process(records: readonly ConsumedEvent[]): Promise<void> {
    const now = new Date();
    const planned = new Map<string, Planned>();
    for (const record of records) {
      const event = this.onItsTopic(record);
      if (!event) continue;
      const subscription = this.registry.find(event.businessid, event.topic);
      if (
        !subscription ||
        !this.registry.isEnabled(subscription) ||
        !subscription.matcher.match(event).matched
      ) {
        this.metrics.events.inc({ result: 'unmatched' });
        continue;
      }
      const id = deliveryIdOf(subscription.record.id, event.id);
      if (planned.has(id)) continue;
      const ordering = orderingFieldsOf(event, subscription.record.configuration);
      const publishedAt = Number(record.timestamp);
      if (publishedAt > 0) {
        this.metrics.eventAgeSeconds.observe(Math.max(0, now.getTime() - publishedAt) / 1000);
      }
      planned.set(id, {
        subscription,
        ticket: null,
        traceContext: record.traceContext,
        delivery: {
          id,
          subscriptionId: subscription.record.id,
          businessId: event.businessid,
          topic: event.topic,
          eventId: event.id,
          eventType: event.type,
          // The event exactly as produced (unknown attributes included) is the webhook body.
          body: record.body,
          test: false,
          nextAttemptAt: now,
          orderingKey: ordering.orderingKey,
          eventTime: ordering.eventTime,
          messageId: ordering.messageId,
          statusRank: ordering.statusRank,
        },
      });
    }
    if (planned.size === 0) return;

    const byBusiness = new Map<string, Planned[]>();
    for (const item of planned.values()) {
      const businessId = item.delivery.businessId;
      item.ticket = this.quotas.tryAcquire(businessId, item.subscription.record.id);
      // An ordered delivery is due at once; only its conversation's head is then leased for its
      // first attempt (see storeAndAttempt), the others wait for the deliveries before them.
      if (item.ticket && !item.delivery.orderingKey) {
        item.delivery.nextAttemptAt = new Date(
          now.getTime() + this.attempts.leaseMs(item.subscription.record),
        );
      } else if (!item.ticket) {
        this.metrics.deferred.inc({ path: 'inline' });
      }
      const group = byBusiness.get(businessId);
      if (group) group.push(item);
      else byBusiness.set(businessId, [item]);
    }

    // Each business's deliveries go on as soon as they are stored, not when the whole batch is.
    const running: Promise<unknown>[] = [];
    const stored = await Promise.allSettled(
      [...byBusiness.values()].map((group) => this.storeAndAttempt(group, running)),
    );
    const failed = stored.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await this.waitAtMost(Promise.allSettled(running), this.config.INLINE_ATTEMPT_DEADLINE_MS);
  }

  /** Stores one business's deliveries of a batch, then starts the attempts that have a place. */
  private async storeAndAttempt(group: Planned[], running: Promise<unknown>[]): Promise<void> {
    let inserted: Set<string>;
    try {
      inserted = await this.inserts.add(group.map((p) => p.delivery));
    } catch (err) {
      for (const item of group) item.ticket?.cancel();
      throw err;
    }
    const heads = await this.heads(group, inserted);
    for (const { delivery, subscription, ticket, traceContext } of group) {
      const isNew = inserted.has(delivery.id);
      this.metrics.events.inc({ result: isNew ? 'matched' : 'duplicate' });
      if (!ticket) continue;
      const headSince = delivery.orderingKey ? heads.get(delivery.id) : null;
      if (!isNew || headSince === undefined) {
        ticket.cancel();
        continue;
      }
      const attempt: DeliveryToAttempt = {
        ...delivery,
        attempts: 0,
        scheduleBase: 0,
        headSince,
      };
      running.push(
        this.track(
          ticket.run(() =>
            withTraceContext(traceContext, () => this.attempts.attempt(attempt, subscription)),
          ),
        ),
      );
    }
  }

  /**
   * Of a group's new deliveries of ordered subscriptions that have a lane place, those that are
   * their conversation's head, taken as such (leased for the attempt made now), each with the
   * time it became the head (at most a statement's time early). One statement for the groups
   * stored together, none when a group has no ordered delivery. A failed statement leaves them all
   * to the scheduler (they are due already).
   */
  private async heads(group: Planned[], inserted: Set<string>): Promise<Map<string, Date>> {
    const candidates = group.filter(
      (p) => p.ticket && p.delivery.orderingKey && inserted.has(p.delivery.id),
    );
    const heads = new Map<string, Date>();
    if (candidates.length === 0) return heads;
    const asked = new Date();
    try {
      const marked = await this.headMarks.add(
        candidates.map((p) => ({
          id: p.delivery.id,
          leaseMs: this.attempts.leaseMs(p.subscription.record),
        })),
      );
      for (const id of marked) heads.set(id, asked);
    } catch (err) {
      this.logger.warn(
        { err: errorMessage(err) },
        'Conversation heads not taken; the scheduler takes them',
      );
    }
    return heads;
  }

  /** Resolves once every first attempt started here has finished (for shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  /** The event, unless it is on a public topic other than its own (then it is skipped). */
  private onItsTopic(record: ConsumedEvent): CloudEvent | null {
    const topic = subscriptionTopicOf(record.topic);
    if (topic && record.event.topic !== topic) {
      this.metrics.events.inc({ result: 'invalid' });
      this.logger.warn(
        { topic: record.topic, offset: record.offset, eventTopic: record.event.topic },
        'Event on the wrong public topic; skipped',
      );
      return null;
    }
    return record.event;
  }

  /** Keeps a background attempt in view until it ends; its failures are logged, never thrown. */
  private track(promise: Promise<unknown>): Promise<void> {
    const tracked: Promise<void> = promise
      .then(
        () => undefined,
        (err: unknown) =>
          this.logger.error(
            { err: errorMessage(err) },
            'Delivery attempt failed unexpectedly; it is retried when its lease ends',
          ),
      )
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
    return tracked;
  }

  private async waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
}

/** The subscription topic of a public Kafka topic name (with or without the prefix). */
export function subscriptionTopicOf(kafkaTopic: string): SubscriptionTopic | null {
  const match = /switchboard\.([a-z_]+)\.v1$/.exec(kafkaTopic);
  const parsed = SubscriptionTopic.safeParse(match?.[1]);
  return parsed.success ? parsed.data : null;
}
