import { randomInt } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  DeliveryAttempt,
  DeliveryOutcome,
  SubscriptionRecord,
  SubscriptionTopic,
} from '@switchboard/contracts';
import { DELIVERY_CONFIG } from '../config/delivery-config.module';
import type { DeliveryConfig } from '../config/delivery.config';
import { EndpointHealthService } from '../health/endpoint-health.service';
import {
  type AttemptVerdict,
  decideVerdict,
  isSuccess,
  type RetrySettings,
} from '../retries/retry-policy';
import { WebhookSender } from '../sending/webhook-sender';
import { signWebhook } from '../signing/webhook-signer';
import type { Subscription } from '../subscriptions/subscription-registry';
import { attemptIdOf } from './delivery-id';
import type { DeliveryState } from './delivery.entity';
import { DeliveryRepository, type StoredDelivery } from './delivery.repository';
import { AttemptPublisher } from './attempt.publisher';
import { DeliveryMetrics } from './delivery.metrics';

export const USER_AGENT = 'Switchboard-Webhook/1.0';

/** What an attempt needs of a stored delivery. */
export type DeliveryToAttempt = Pick<
  StoredDelivery,
  | 'id'
  | 'subscriptionId'
  | 'businessId'
  | 'topic'
  | 'eventId'
  | 'eventType'
  | 'body'
  | 'test'
  | 'attempts'
  | 'scheduleBase'
>;

function random(): number {
  return randomInt(0, 2 ** 32) / 2 ** 32;
}

/**
 * Makes one attempt of a stored delivery, whether it comes inline from the consumer, from the
 * retry scheduler or from a command: signs the event with the subscription's live secrets, sends
 * it, stores what follows (succeeded, retried at a time, dead-lettered), publishes the attempt,
 * and tells endpoint health. Never throws: a failure to store leaves the delivery pending, to be
 * attempted again when its lease ends.
 */
@Injectable()
export class AttemptService {
  private readonly logger = new Logger(AttemptService.name);
  private readonly inFlight = new Set<string>();
  private readonly settings: RetrySettings;

  constructor(
    private readonly sender: WebhookSender,
    private readonly repository: DeliveryRepository,
    private readonly publisher: AttemptPublisher,
    private readonly health: EndpointHealthService,
    private readonly metrics: DeliveryMetrics,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
  ) {
    this.settings = {
      defaultSchedule: config.RETRY_SCHEDULE_SECONDS,
      scale: config.RETRY_SCHEDULE_SCALE,
      jitter: config.RETRY_JITTER,
      retryAfterMaxSeconds: config.RETRY_AFTER_MAX_SECONDS,
    };
  }

  /** True while this instance is attempting the delivery. */
  isInFlight(deliveryId: string): boolean {
    return this.inFlight.has(deliveryId);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  timeoutMs(subscription: SubscriptionRecord): number {
    return subscription.configuration.retry?.timeoutMs ?? this.config.DELIVERY_TIMEOUT_MS;
  }

  /**
   * How long a delivery handed to a subscription's lane can take at most before its outcome is
   * stored: the attempts queued ahead of it, its own, and a margin. Stored deliveries are not
   * taken by the scheduler before then.
   */
  leaseMs(subscription: SubscriptionRecord): number {
    const rounds =
      1 + Math.ceil(this.config.SUBSCRIPTION_QUEUE_LIMIT / this.config.SUBSCRIPTION_CONCURRENCY);
    return rounds * this.timeoutMs(subscription) + this.config.ATTEMPT_LEASE_MARGIN_MS;
  }

  /**
   * Attempts the delivery; resolves with the outcome, or null when the attempt was cancelled by
   * shutdown (nothing is recorded then: the delivery is attempted again when its lease ends).
   */
  async attempt(
    delivery: DeliveryToAttempt,
    subscription: Subscription,
  ): Promise<DeliveryOutcome | null> {
    this.inFlight.add(delivery.id);
    try {
      return await this.run(delivery, subscription.record);
    } finally {
      this.inFlight.delete(delivery.id);
    }
  }

  private async run(
    delivery: DeliveryToAttempt,
    subscription: SubscriptionRecord,
  ): Promise<DeliveryOutcome | null> {
    const attempt = delivery.attempts + 1;
    const now = new Date();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...signWebhook({ id: delivery.id, body: delivery.body, secrets: subscription.secrets, now }),
      'X-Switchboard-Event-Type': delivery.eventType,
      'X-Switchboard-Topic': delivery.topic,
      'X-Switchboard-Attempt': String(attempt),
    };
    const response = await this.sender.send({
      url: subscription.address,
      headers,
      body: delivery.body,
      timeoutMs: this.timeoutMs(subscription),
    });
    if (response.kind === 'failed' && response.code === 'cancelled') return null;
    const statusCode = response.kind === 'answered' ? response.statusCode : null;
    const succeeded = isSuccess(statusCode);
    const error =
      response.kind === 'failed'
        ? response.message
        : succeeded
          ? null
          : statusCode === 410 && !delivery.test
            ? 'HTTP 410 Gone: the subscription is disabled'
            : `HTTP ${response.statusCode}`;
    const { outcome, state, nextAttemptAt } = delivery.test
      ? settleTest(succeeded)
      : settle(
          decideVerdict(
            {
              result: {
                statusCode,
                retryAfter: response.kind === 'answered' ? response.retryAfter : null,
              },
              attemptsInSchedule: attempt - delivery.scheduleBase,
              schedule: subscription.configuration.retry?.schedule,
              now,
              random: random(),
            },
            this.settings,
          ),
        );
    this.metrics.attempts.inc({ outcome });
    this.metrics.attemptSeconds.observe({ outcome }, response.latencyMs / 1000);

    try {
      await this.repository.recordAttempt(delivery.id, delivery.attempts, {
        state,
        nextAttemptAt,
        attemptedAt: now,
        statusCode,
        error,
      });
    } catch (err) {
      this.logger.error(
        { deliveryId: delivery.id, err: describe(err) },
        'Attempt outcome not stored; the delivery will be attempted again when its lease ends',
      );
    }

    const report: DeliveryAttempt = {
      id: attemptIdOf(delivery.id, attempt),
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      businessId: delivery.businessId,
      subscriptionId: delivery.subscriptionId,
      topic: delivery.topic as SubscriptionTopic,
      attempt,
      attemptedAt: now.toISOString(),
      outcome,
      statusCode,
      latencyMs: response.latencyMs,
      error,
      responseBody: response.kind === 'answered' ? response.body : null,
      nextAttemptAt: nextAttemptAt?.toISOString() ?? null,
    };
    await Promise.all([
      this.publisher
        .publish(report)
        .catch((err: unknown) =>
          this.logger.error(
            { deliveryId: delivery.id, attempt, err: describe(err) },
            'Delivery attempt not published',
          ),
        ),
      delivery.test
        ? undefined
        : this.health
            .observe(
              subscription,
              succeeded
                ? { kind: 'success' }
                : { kind: 'failure', error: error ?? 'failed', gone: statusCode === 410 },
              now,
            )
            .catch((err: unknown) =>
              this.logger.error(
                { subscriptionId: subscription.id, err: describe(err) },
                'Endpoint health not updated',
              ),
            ),
    ]);
    return outcome;
  }
}

/** What an attempt leaves behind: the reported outcome, the stored state, the next attempt. */
interface Settlement {
  outcome: DeliveryOutcome;
  state: DeliveryState;
  nextAttemptAt: Date | null;
}

function settle(verdict: AttemptVerdict): Settlement {
  switch (verdict.outcome) {
    case 'succeeded':
      return { outcome: 'succeeded', state: 'succeeded', nextAttemptAt: null };
    case 'failed':
      return { outcome: 'failed', state: 'pending', nextAttemptAt: verdict.nextAttemptAt };
    case 'dead_lettered':
      return { outcome: 'dead_lettered', state: 'dead_lettered', nextAttemptAt: null };
  }
}

/** A test is tried once: its failure is reported as failed, with no next attempt. */
function settleTest(succeeded: boolean): Settlement {
  return succeeded
    ? { outcome: 'succeeded', state: 'succeeded', nextAttemptAt: null }
    : { outcome: 'failed', state: 'failed', nextAttemptAt: null };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
