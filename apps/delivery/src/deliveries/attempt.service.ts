import { randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  DeliveryAttempt,
  DeliveryOutcome,
  SubscriptionRecord,
  SubscriptionTopic,
} from '@switchboard/contracts';
import { DELIVERY_CONFIG } from '../config/delivery-config.module';
import type { DeliveryConfig } from '../config/delivery.config';
import type { HealthObservation } from '../health/endpoint-health';
import { EndpointHealthService } from '../health/endpoint-health.service';
import {
  type AttemptVerdict,
  decideVerdict,
  isSuccess,
  type RetrySettings,
} from '../retries/retry-policy';
import { toHttpMessage } from '../sending/cloud-events-binding';
import { WebhookSender } from '../sending/webhook-sender';
import { signWebhook } from '../signing/webhook-signer';
import type { Subscription } from '../subscriptions/subscription-registry';
import type { DeliveryState } from './delivery.entity';
import { DeliveryRepository, type StoredDelivery } from './delivery.repository';
import { AttemptPublisher } from './attempt.publisher';
import { DeliveryMetrics } from './delivery.metrics';
import { OutcomeWriter } from './outcome-writer';

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
 * retry scheduler or from a command: puts the event in the subscription's CloudEvents mode
 * (structured or binary), signs the body that is sent with the subscription's live secrets and
 * sends it. The attempt (and the lane slot it holds) ends with the HTTP answer; what follows runs
 * after it: the outcome (succeeded, retried at a time, dead-lettered) goes to the group-commit
 * writer, and only once it is stored is the attempt published and endpoint health told, so the
 * delivery log never shows an outcome the database lost. Never throws: an outcome not stored
 * leaves the delivery pending, to be attempted again when its lease ends.
 */
@Injectable()
export class AttemptService {
  private readonly logger = new Logger(AttemptService.name);
  /** Deliveries being attempted here, until their outcome is stored (or given up). */
  private readonly inFlight = new Set<string>();
  /** Outcomes of finished attempts still being stored and published. */
  private readonly settling = new Set<Promise<void>>();
  private readonly settings: RetrySettings;
  private readonly writer: OutcomeWriter;

  constructor(
    private readonly sender: WebhookSender,
    repository: DeliveryRepository,
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
    this.writer = new OutcomeWriter(repository, {
      flushIntervalMs: config.OUTCOME_FLUSH_INTERVAL_MS,
      maxBatch: config.OUTCOME_FLUSH_MAX,
    });
  }

  /** True while this instance is attempting the delivery or storing its outcome. */
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
   * stored: the attempts queued ahead of it, its own, and a margin (which also covers the
   * outcome's group commit). Stored deliveries are not taken by the scheduler before then.
   */
  leaseMs(subscription: SubscriptionRecord): number {
    const rounds =
      1 + Math.ceil(this.config.SUBSCRIPTION_QUEUE_LIMIT / this.config.SUBSCRIPTION_CONCURRENCY);
    return rounds * this.timeoutMs(subscription) + this.config.ATTEMPT_LEASE_MARGIN_MS;
  }

  /**
   * Attempts the delivery; resolves with the outcome as soon as the endpoint has answered (or
   * failed to), or null when the attempt was cancelled by shutdown (nothing is recorded then: the
   * delivery is attempted again when its lease ends). Storing and publishing go on after it.
   */
  async attempt(
    delivery: DeliveryToAttempt,
    subscription: Subscription,
  ): Promise<DeliveryOutcome | null> {
    this.inFlight.add(delivery.id);
    let settled: Settled | null;
    try {
      settled = await this.send(delivery, subscription.record);
    } catch (err) {
      this.inFlight.delete(delivery.id);
      throw err;
    }
    if (!settled) {
      this.inFlight.delete(delivery.id);
      return null;
    }
    const settling: Promise<void> = this.settle(delivery, subscription.record, settled).finally(
      () => {
        this.inFlight.delete(delivery.id);
        this.settling.delete(settling);
      },
    );
    this.settling.add(settling);
    return settled.report.outcome;
  }

  /** Resolves once every finished attempt's outcome has been stored and published (or failed). */
  async drain(): Promise<void> {
    await this.writer.flush();
    while (this.settling.size > 0) await Promise.allSettled([...this.settling]);
  }

  private async send(
    delivery: DeliveryToAttempt,
    subscription: SubscriptionRecord,
  ): Promise<Settled | null> {
    const attempt = delivery.attempts + 1;
    const startedAt = new Date();
    const message = toHttpMessage(delivery.body, subscription.configuration.cloudEventsMode);
    const headers: Record<string, string> = {
      ...message.headers,
      'user-agent': USER_AGENT,
      // The signatures cover the bytes sent: the data alone in binary mode.
      ...signWebhook({
        id: delivery.id,
        body: message.body,
        secrets: subscription.secrets,
        now: startedAt,
      }),
      'X-Switchboard-Event-Type': delivery.eventType,
      'X-Switchboard-Topic': delivery.topic,
      'X-Switchboard-Attempt': String(attempt),
    };
    const response = await this.sender.send({
      url: subscription.address,
      headers,
      body: message.body,
      timeoutMs: this.timeoutMs(subscription),
    });
    if (response.kind === 'failed' && response.code === 'cancelled') return null;
    // The next attempt is spaced from this one's end: a slow endpoint does not eat its delay.
    const endedAt = new Date();
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
              now: endedAt,
              random: random(),
            },
            this.settings,
          ),
        );
    this.metrics.attempts.inc({ outcome });
    this.metrics.attemptSeconds.observe({ outcome }, response.latencyMs / 1000);
    return {
      state,
      health: succeeded
        ? { kind: 'success' }
        : { kind: 'failure', error: error ?? 'failed', gone: statusCode === 410 },
      at: endedAt,
      report: {
        // Every attempt has an id of its own, also one made again after its outcome was lost.
        id: randomUUID(),
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        eventType: delivery.eventType,
        businessId: delivery.businessId,
        subscriptionId: delivery.subscriptionId,
        topic: delivery.topic as SubscriptionTopic,
        attempt,
        attemptedAt: startedAt.toISOString(),
        outcome,
        statusCode,
        latencyMs: response.latencyMs,
        error,
        responseBody: response.kind === 'answered' ? response.body : null,
        nextAttemptAt: nextAttemptAt?.toISOString() ?? null,
      },
    };
  }

  /** Stores the outcome, then publishes the attempt and tells endpoint health. Never throws. */
  private async settle(
    delivery: DeliveryToAttempt,
    subscription: SubscriptionRecord,
    settled: Settled,
  ): Promise<void> {
    const { report } = settled;
    let stored: boolean;
    try {
      stored = await this.writer.record({
        deliveryId: delivery.id,
        previousAttempts: delivery.attempts,
        state: settled.state,
        nextAttemptAt: report.nextAttemptAt === null ? null : new Date(report.nextAttemptAt),
        attemptedAt: new Date(report.attemptedAt),
        statusCode: report.statusCode,
        error: report.error,
      });
    } catch (err) {
      this.metrics.outcomesLost.inc();
      this.logger.error(
        { deliveryId: delivery.id, err: describe(err) },
        'Attempt outcome not stored; the delivery will be attempted again when its lease ends',
      );
      return;
    }
    if (!stored) {
      // Another attempt of the same delivery was stored first (this one outlived its lease).
      this.logger.warn(
        { deliveryId: delivery.id, attempt: report.attempt },
        'Attempt outcome not stored: the delivery had moved on; not published',
      );
      return;
    }
    // Test attempts never count toward an endpoint's health.
    if (!delivery.test) this.health.observe(subscription, settled.health, settled.at);
    await this.publisher
      .publish(report)
      .catch((err: unknown) =>
        this.logger.error(
          { deliveryId: delivery.id, attempt: report.attempt, err: describe(err) },
          'Delivery attempt not published',
        ),
      );
  }
}

/** A finished attempt: what to store, report and tell endpoint health. */
interface Settled {
  state: DeliveryState;
  health: HealthObservation;
  at: Date;
  report: DeliveryAttempt;
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
