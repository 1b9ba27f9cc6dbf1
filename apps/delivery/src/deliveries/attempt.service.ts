import { randomInt, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type {
  DeliveryAttempt,
  DeliveryOutcome,
  SubscriptionRecord,
  SubscriptionTopic,
} from '@switchboard/contracts';
import { errorMessage, InjectConfig } from '@switchboard/service-kit';
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
import {
  blockedTooLong,
  conversationDeadLetterReason,
  statusOfRank,
  suppressionOf,
} from '../ordering/ordering';
import { StatusProgressRepository } from '../ordering/status-progress.repository';
import {
  type ConversationDeadLetter,
  DeliveryRepository,
  type StoredDelivery,
} from './delivery.repository';
import { AttemptPublisher } from './attempt.publisher';
import { DeliveryMetrics } from './delivery.metrics';
import { OutcomeWriter } from './outcome-writer';

export const USER_AGENT = 'Switchboard-Webhook/1.0';

/**
 * What an attempt needs of a stored delivery; the ordering fields only for ordered or
 * status-monotonic subscriptions (absent or null otherwise).
 */
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
> &
  Partial<Pick<StoredDelivery, 'orderingKey' | 'headSince' | 'messageId' | 'statusRank'>>;

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
  /** Called when an ordered delivery has finished: the next of its conversation may go. */
  private readonly advancedListeners: (() => void)[] = [];

  constructor(
    private readonly sender: WebhookSender,
    private readonly repository: DeliveryRepository,
    private readonly progress: StatusProgressRepository,
    private readonly publisher: AttemptPublisher,
    private readonly health: EndpointHealthService,
    private readonly metrics: DeliveryMetrics,
    @InjectConfig() private readonly config: DeliveryConfig,
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

  /**
   * Calls `listener` whenever an ordered delivery has finished (succeeded, suppressed or
   * dead-lettered) and its outcome is stored, so the next delivery of its conversation can be
   * taken at once.
   */
  onConversationAdvanced(listener: () => void): void {
    this.advancedListeners.push(listener);
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
    const suppressed = await this.suppression(delivery);
    if (suppressed) return this.suppressed(delivery, attempt, suppressed);
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
    const verdict = delivery.test
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
    const { outcome, state, nextAttemptAt, conversationReason } = this.inOrder(
      delivery,
      verdict,
      endedAt,
    );
    this.metrics.attempts.inc({ outcome });
    this.metrics.attemptSeconds.observe({ outcome }, response.latencyMs / 1000);
    return {
      state,
      health: succeeded
        ? { kind: 'success' }
        : { kind: 'failure', error: error ?? 'failed', gone: statusCode === 410 },
      at: endedAt,
      conversationReason,
      report: {
        ...attemptOf(delivery, attempt),
        attemptedAt: startedAt.toISOString(),
        outcome,
        statusCode,
        latencyMs: response.latencyMs,
        error: conversationReason ? `${error ?? 'failed'}; ${conversationReason}` : error,
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
    const outcome = {
      deliveryId: delivery.id,
      previousAttempts: delivery.attempts,
      state: settled.state,
      nextAttemptAt: report.nextAttemptAt === null ? null : new Date(report.nextAttemptAt),
      attemptedAt: new Date(report.attemptedAt),
      statusCode: report.statusCode,
      error: report.error,
    };
    let stored: boolean;
    let deadLettered: ConversationDeadLetter[] = [];
    try {
      // The furthest status is raised before the outcome is stored: the next delivery of the
      // conversation, taken once it is, always sees it. (Should the outcome be lost, the status
      // is sent again: equal to the furthest, it is not suppressed.)
      if (settled.state === 'succeeded' && delivery.messageId && delivery.statusRank) {
        await this.progress.record([
          {
            subscriptionId: delivery.subscriptionId,
            messageId: delivery.messageId,
            rank: delivery.statusRank,
            status: statusOfRank(delivery.statusRank),
            at: settled.at,
          },
        ]);
      }
      if (settled.conversationReason && delivery.orderingKey) {
        const result = await this.repository.deadLetterConversation(
          outcome,
          { subscriptionId: delivery.subscriptionId, orderingKey: delivery.orderingKey },
          settled.conversationReason,
        );
        stored = result.stored;
        deadLettered = result.others;
      } else {
        stored = await this.writer.record(outcome);
      }
    } catch (err) {
      this.metrics.outcomesLost.inc();
      this.logger.error(
        { deliveryId: delivery.id, err: errorMessage(err) },
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
    // Test attempts and suppressed statuses never count toward an endpoint's health.
    if (!delivery.test && settled.health) {
      this.health.observe(subscription, settled.health, settled.at);
    }
    if (delivery.orderingKey && settled.state !== 'pending') {
      for (const listener of this.advancedListeners) listener();
    }
    const reports = [
      report,
      ...deadLettered.map((other) => deadLetterReport(delivery, other, report)),
    ];
    if (deadLettered.length > 0) {
      this.logger.warn(
        { subscriptionId: delivery.subscriptionId, deliveries: reports.length },
        'Conversation dead-lettered as a unit',
      );
    }
    for (const each of reports) {
      await this.publisher
        .publish(each)
        .catch((err: unknown) =>
          this.logger.error(
            { deliveryId: each.deliveryId, attempt: each.attempt, err: errorMessage(err) },
            'Delivery attempt not published',
          ),
        );
    }
  }

  /** Why the status is not to be sent (a later one of its message was delivered), or null. */
  private async suppression(delivery: DeliveryToAttempt): Promise<string | null> {
    if (delivery.test || !delivery.messageId || !delivery.statusRank) return null;
    const delivered = await this.progress.find(delivery.subscriptionId, delivery.messageId);
    return suppressionOf(
      {
        messageId: delivery.messageId,
        rank: delivery.statusRank,
        status: statusOfRank(delivery.statusRank),
      },
      delivered,
    );
  }

  /** A status not sent: recorded as suppressed, with the reason, like an attempt without request. */
  private suppressed(delivery: DeliveryToAttempt, attempt: number, reason: string): Settled {
    const at = new Date();
    this.metrics.attempts.inc({ outcome: 'suppressed' });
    return {
      state: 'suppressed',
      health: null,
      at,
      conversationReason: null,
      report: {
        ...attemptOf(delivery, attempt),
        attemptedAt: at.toISOString(),
        outcome: 'suppressed',
        statusCode: null,
        latencyMs: 0,
        error: reason,
        responseBody: null,
        nextAttemptAt: null,
      },
    };
  }

  /**
   * An ordered delivery's settlement: a failing head that has held up its conversation for
   * `ORDERING_BLOCK_MAX_SECONDS`, or one whose schedule ran out, dead-letters its whole
   * conversation (the reason says which); anything else stands.
   */
  private inOrder(
    delivery: DeliveryToAttempt,
    settlement: Settlement,
    now: Date,
  ): Settlement & { conversationReason: string | null } {
    const max = this.config.ORDERING_BLOCK_MAX_SECONDS;
    if (!delivery.orderingKey || delivery.test || settlement.outcome === 'succeeded') {
      return { ...settlement, conversationReason: null };
    }
    if (settlement.outcome === 'dead_lettered') {
      return { ...settlement, conversationReason: conversationDeadLetterReason('schedule', max) };
    }
    if (blockedTooLong(delivery.headSince ?? null, now, max)) {
      return {
        outcome: 'dead_lettered',
        state: 'dead_lettered',
        nextAttemptAt: null,
        conversationReason: conversationDeadLetterReason('blocked', max),
      };
    }
    return { ...settlement, conversationReason: null };
  }
}

/** A finished attempt: what to store, report and tell endpoint health. */
interface Settled {
  state: DeliveryState;
  /** Null when no request was made (a suppressed status). */
  health: HealthObservation | null;
  at: Date;
  /** Set when its conversation is dead-lettered with it (ordered subscriptions). */
  conversationReason: string | null;
  report: DeliveryAttempt;
}

/**
 * The record of a delivery dead-lettered with its conversation, without a request of its own:
 * numbered as its latest attempt (the first when it had none), at the head's attempt's time.
 */
function deadLetterReport(
  head: DeliveryToAttempt,
  other: ConversationDeadLetter,
  headReport: DeliveryAttempt,
): DeliveryAttempt {
  return {
    id: randomUUID(),
    deliveryId: other.id,
    eventId: other.eventId,
    eventType: other.eventType,
    businessId: other.businessId,
    subscriptionId: head.subscriptionId,
    topic: other.topic as SubscriptionTopic,
    attempt: Math.max(1, other.attempts),
    attemptedAt: headReport.attemptedAt,
    outcome: 'dead_lettered',
    statusCode: null,
    latencyMs: 0,
    error: `${headReport.error ?? 'Conversation dead-lettered'} (delivery ${head.id})`,
    responseBody: null,
    nextAttemptAt: null,
  };
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

/**
 * What every attempt report of a delivery starts with: an id of its own (also for an attempt made
 * again after its outcome was lost), the delivery's identity and the attempt's number.
 */
function attemptOf(delivery: DeliveryToAttempt, attempt: number) {
  return {
    id: randomUUID(),
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    businessId: delivery.businessId,
    subscriptionId: delivery.subscriptionId,
    topic: delivery.topic as SubscriptionTopic,
    attempt,
  };
}
