import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import {
  ContractViolation,
  type DeliveryCommand,
  DeliveryCommandsTopic,
  type SubscriptionTopic,
} from '@switchboard/contracts';
import { TopicPublisher } from '@switchboard/kafka';
import type { Principal } from '../auth/principal';
import { BusinessesService } from '../businesses/businesses.service';
import { InvalidRequestError } from '../common/validation';
import { errorMessage, InjectConfig } from '@switchboard/service-kit';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { SubscriptionsRepository } from '../webhooks/subscriptions.repository';
import { WebhookNotFoundError } from '../webhooks/webhooks.errors';
import {
  CommandsUnavailableError,
  DeliveryNotFoundError,
  TestDeliveryTimeoutError,
} from './delivery-log.errors';
import type { CommandAccepted, TestDeliveryResult } from './delivery-log.schemas';
import { DeliveryLogRepository } from './delivery-log.repository';

/** How often a test call looks for its attempt in the delivery log. */
const TEST_POLL_INTERVAL_MS = 100;

/** How far the delivery service's clock may be behind ours when it stamps the test attempt. */
const TEST_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Operator and business instructions to the delivery service: retry one delivery, recover what
 * failed since a time, send a test event. Each is sent to `switchboard.delivery.commands.v1`;
 * retry and recover are answered 202 once Kafka has them (delivery acts asynchronously), a test
 * waits for its attempt to reach the delivery log (at most `TEST_DELIVERY_TIMEOUT_MS`).
 */
@Injectable()
export class DeliveryCommandsService {
  private readonly testTimeoutMs: number;
  private readonly recoverMaxAgeDays: number;

  constructor(
    private readonly businesses: BusinessesService,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly log: DeliveryLogRepository,
    private readonly publisher: TopicPublisher,
    @InjectConfig() config: SubscriptionsConfig,
  ) {
    this.testTimeoutMs = config.TEST_DELIVERY_TIMEOUT_MS;
    this.recoverMaxAgeDays = config.RECOVER_MAX_AGE_DAYS;
  }

  async retry(
    principal: Principal,
    businessId: string,
    deliveryId: string,
  ): Promise<CommandAccepted> {
    await this.businesses.access(principal, businessId);
    if (!(await this.log.findDelivery(businessId, deliveryId))) {
      throw new DeliveryNotFoundError(deliveryId);
    }
    return this.send({ ...this.base(businessId), type: 'retry', deliveryId });
  }

  async recover(
    principal: Principal,
    businessId: string,
    topic: SubscriptionTopic,
    since: string,
  ): Promise<CommandAccepted> {
    await this.businesses.access(principal, businessId);
    const subscription = await this.subscriptions.findByTopic(businessId, topic);
    if (!subscription) throw new WebhookNotFoundError(topic);
    const at = Date.parse(since);
    if (at > Date.now()) {
      throw new InvalidRequestError('since: must not be in the future', [
        { path: 'since', message: 'future' },
      ]);
    }
    if (Date.now() - at > this.recoverMaxAgeDays * 86_400_000) {
      const days = this.recoverMaxAgeDays;
      throw new InvalidRequestError(
        `since: at most ${days} days ago (dead letters are kept ${days} days)`,
        [{ path: 'since', message: 'too old' }],
      );
    }
    return this.send({
      ...this.base(businessId),
      type: 'recover',
      subscriptionId: subscription.id,
      topic,
      since: new Date(at).toISOString(),
    });
  }

  async test(
    principal: Principal,
    businessId: string,
    topic: SubscriptionTopic,
  ): Promise<TestDeliveryResult> {
    await this.businesses.access(principal, businessId);
    const subscription = await this.subscriptions.findByTopic(businessId, topic);
    if (!subscription) throw new WebhookNotFoundError(topic);
    const requestId = randomUUID();
    const since = new Date(Date.now() - TEST_CLOCK_SKEW_MS);
    await this.send({
      ...this.base(businessId),
      type: 'test',
      subscriptionId: subscription.id,
      topic,
      requestId,
    });
    // The attempts consumer fills the log; the test event's attempt carries eventId = requestId.
    const deadline = Date.now() + this.testTimeoutMs;
    for (;;) {
      const attempt = await this.log.findAttemptOfEvent(subscription.id, requestId, since);
      if (attempt) {
        return {
          requestId,
          outcome: attempt.outcome,
          statusCode: attempt.statusCode,
          latencyMs: attempt.latencyMs,
          error: attempt.error,
          responseBody: attempt.responseBody,
          attemptedAt: attempt.attemptedAt.toISOString(),
        };
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new TestDeliveryTimeoutError(requestId, this.testTimeoutMs);
      await sleep(Math.min(TEST_POLL_INTERVAL_MS, left));
    }
  }

  private base(businessId: string) {
    return { id: randomUUID(), businessId, issuedAt: new Date().toISOString() };
  }

  private async send(command: DeliveryCommand): Promise<CommandAccepted> {
    try {
      await this.publisher.publish(DeliveryCommandsTopic, command);
    } catch (err) {
      // A command its schema refuses is a bug here, not an outage.
      if (err instanceof ContractViolation) throw err;
      throw new CommandsUnavailableError(errorMessage(err));
    }
    return { commandId: command.id };
  }
}
