import { Injectable, Logger } from '@nestjs/common';
import type {
  DeliveryAttempt,
  SubscriptionHealthEvent,
  SubscriptionTopic,
} from '@switchboard/contracts';
import type { Principal } from '../auth/principal';
import { BusinessesService } from '../businesses/businesses.service';
import { CursorCodec } from '../common/cursor';
import { eventTypeMatch } from '../common/event-type-filter';
import { WebhookNotFoundError } from '../webhooks/webhooks.errors';
import { WebhooksService } from '../webhooks/webhooks.service';
import { SubscriptionsRepository } from '../webhooks/subscriptions.repository';
import type { DeliveryAttemptEntity, DeliveryEntity } from './delivery-log.entities';
import { DeliveryNotFoundError } from './delivery-log.errors';
import type {
  Delivery,
  DeliveryDetail,
  DeliveryList,
  DeliveryQuery,
  WebhookHealth,
} from './delivery-log.schemas';
import { DeliveryLogRepository, type WindowStats } from './delivery-log.repository';

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The delivery log: what the delivery service did, as it announced it on Kafka, readable per
 * business. A `subscription.disabled` announcement also disables the subscription's record, so
 * the API shows it and a PATCH to `active` re-enables it.
 */
@Injectable()
export class DeliveryLogService {
  private readonly logger = new Logger(DeliveryLogService.name);

  constructor(
    private readonly businesses: BusinessesService,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly webhooks: WebhooksService,
    private readonly log: DeliveryLogRepository,
    private readonly cursors: CursorCodec,
  ) {}

  async record(attempts: DeliveryAttempt[], health: SubscriptionHealthEvent[]): Promise<void> {
    await this.log.recordAttempts(attempts);
    await this.log.recordHealth(health);
    for (const event of health) {
      if (event.type !== 'subscription.disabled') continue;
      if (await this.webhooks.disableAfterAnnouncement(event)) {
        this.logger.log(
          { subscriptionId: event.subscriptionId, reason: event.reason },
          'Subscription disabled by the delivery service',
        );
      }
    }
  }

  async list(
    principal: Principal,
    businessId: string,
    query: DeliveryQuery,
  ): Promise<DeliveryList> {
    await this.businesses.access(principal, businessId);
    const eventType = eventTypeMatch(query.eventType);
    const rows = await this.log.listDeliveries(businessId, {
      topic: query.topic,
      outcome: query.outcome,
      eventType: eventType.type,
      eventTypePrefix: eventType.prefix,
      since: query.since,
      until: query.until,
      limit: query.limit,
      after: query.cursor === undefined ? undefined : this.afterCursor(query.cursor),
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(deliveryView),
      nextCursor:
        rows.length > query.limit && last
          ? this.cursors.encode('deliveries', last.lastAttemptAt, last.id)
          : null,
    };
  }

  /** Where the previous page ended; delivery ids are the delivery service's, any non-empty text. */
  private afterCursor(cursor: string): { lastAttemptAt: Date; id: string } {
    const { at, id } = this.cursors.decode('deliveries', cursor, (value) => value.length > 0);
    return { lastAttemptAt: new Date(at), id };
  }

  async get(principal: Principal, businessId: string, deliveryId: string): Promise<DeliveryDetail> {
    await this.businesses.access(principal, businessId);
    const delivery = await this.log.findDelivery(businessId, deliveryId);
    if (!delivery) throw new DeliveryNotFoundError(deliveryId);
    const attempts = await this.log.attemptsOf(deliveryId);
    return { ...deliveryView(delivery), attempts: attempts.map(attemptView) };
  }

  async health(
    principal: Principal,
    businessId: string,
    topic: SubscriptionTopic,
  ): Promise<WebhookHealth> {
    await this.businesses.access(principal, businessId);
    const subscription = await this.subscriptions.findByTopic(businessId, topic);
    if (!subscription) throw new WebhookNotFoundError(topic);
    const now = Date.now();
    const [health, stats, windows, streak] = await Promise.all([
      this.log.healthOf(subscription.id),
      this.log.attemptStats(subscription.id, new Date(now - DAY_MS)),
      this.log.windowStats(subscription.id, {
        '1h': new Date(now - HOUR_MS),
        '24h': new Date(now - DAY_MS),
      }),
      this.log.failureStreak(subscription.id),
    ]);
    // The delivery service's own count is the better one when it announced after the last attempt
    // this log has (attempts may still be on their way).
    const announcedLater =
      health !== null &&
      (streak.lastAttemptAt === null ||
        health.changedAt.getTime() >= streak.lastAttemptAt.getTime());
    return {
      subscriptionId: subscription.id,
      topic,
      state:
        subscription.state === 'disabled'
          ? 'disabled'
          : subscription.state === 'failing' || health?.status === 'failing'
            ? 'failing'
            : 'active',
      health:
        health === null
          ? null
          : {
              status: health.status,
              consecutiveFailures: health.consecutiveFailures,
              reason: health.reason,
              changedAt: health.changedAt.toISOString(),
            },
      last24h: {
        succeeded: stats.succeeded,
        failed: stats.failed,
        deadLettered: stats.deadLettered,
      },
      lastSuccessAt: stats.lastSuccessAt?.toISOString() ?? null,
      lastFailureAt: stats.lastFailureAt?.toISOString() ?? null,
      windows: { '1h': windowView(windows['1h']), '24h': windowView(windows['24h']) },
      consecutiveFailures: announcedLater ? health.consecutiveFailures : streak.consecutiveFailures,
      lastError:
        streak.lastError === null
          ? null
          : {
              at: streak.lastError.at.toISOString(),
              statusCode: streak.lastError.statusCode,
              error: streak.lastError.error,
            },
    };
  }
}

function windowView(w: WindowStats) {
  return {
    attempts: w.attempts,
    succeeded: w.succeeded,
    failed: w.failed,
    successRate: w.attempts === 0 ? null : w.succeeded / w.attempts,
    p50LatencyMs: w.p50LatencyMs,
    p95LatencyMs: w.p95LatencyMs,
  };
}

function deliveryView(d: DeliveryEntity): Delivery {
  return {
    id: d.id,
    subscriptionId: d.subscriptionId,
    topic: d.topic,
    eventId: d.eventId,
    eventType: d.eventType,
    outcome: d.outcome,
    attemptCount: d.attempts,
    statusCode: d.statusCode,
    error: d.error,
    firstAttemptAt: d.firstAttemptAt.toISOString(),
    lastAttemptAt: d.lastAttemptAt.toISOString(),
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
  };
}

function attemptView(a: DeliveryAttemptEntity) {
  return {
    id: a.id,
    attempt: a.attempt,
    attemptedAt: a.attemptedAt.toISOString(),
    outcome: a.outcome,
    statusCode: a.statusCode,
    latencyMs: a.latencyMs,
    error: a.error,
    responseBody: a.responseBody,
    nextAttemptAt: a.nextAttemptAt?.toISOString() ?? null,
  };
}
