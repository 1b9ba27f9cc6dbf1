import { Injectable, Logger } from '@nestjs/common';
import type {
  DeliveryCommand,
  RecoverDeliveriesCommand,
  RetryDeliveryCommand,
  TestDeliveryCommand,
} from '@switchboard/contracts';
import { deliveryIdOf } from '../deliveries/delivery-id';
import { DeliveryRepository } from '../deliveries/delivery.repository';
import { RetryScheduler } from '../retries/retry.scheduler';
import { type Subscription, SubscriptionRegistry } from '../subscriptions/subscription-registry';
import { testEventOf } from './test-event';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How long a test waits for a subscription created a moment ago to reach delivery. */
const SUBSCRIPTION_WAIT_MS = 5_000;

/**
 * Carries out operators' commands through the same path as every delivery: `retry` and
 * `recover` make stored deliveries due now (the scheduler attempts them, in their lanes, on their
 * schedule); `test` stores a `webhook.test` delivery due now and wakes the scheduler, which
 * attempts it in the subscription's lane; its attempt is published while the admin API waits.
 */
@Injectable()
export class DeliveryCommandsService {
  private readonly logger = new Logger(DeliveryCommandsService.name);

  constructor(
    private readonly repository: DeliveryRepository,
    private readonly registry: SubscriptionRegistry,
    private readonly scheduler: RetryScheduler,
  ) {}

  async handle(command: DeliveryCommand): Promise<void> {
    switch (command.type) {
      case 'retry':
        return this.retry(command);
      case 'recover':
        return this.recover(command);
      case 'test':
        return this.test(command);
    }
  }

  private async retry(command: RetryDeliveryCommand): Promise<void> {
    const delivery = UUID.test(command.deliveryId)
      ? await this.repository.makeDue(command.deliveryId, command.businessId, new Date())
      : null;
    if (!delivery) {
      this.logger.warn(
        { commandId: command.id, deliveryId: command.deliveryId, businessId: command.businessId },
        'Retry command for an unknown delivery; ignored',
      );
      return;
    }
    this.logger.log({ commandId: command.id, deliveryId: delivery.id }, 'Delivery due again');
    this.scheduler.wake();
  }

  private async recover(command: RecoverDeliveriesCommand): Promise<void> {
    const count = await this.repository.recover(
      command.subscriptionId,
      command.businessId,
      command.topic,
      new Date(command.since),
      new Date(),
    );
    this.logger.log(
      { commandId: command.id, subscriptionId: command.subscriptionId, deliveries: count },
      'Dead-lettered deliveries due again',
    );
    if (count > 0) this.scheduler.wake();
  }

  private async test(command: TestDeliveryCommand): Promise<void> {
    const subscription = await this.waitForSubscription(command);
    if (!subscription) {
      this.logger.warn(
        { commandId: command.id, subscriptionId: command.subscriptionId },
        'Test command for a subscription delivery does not know; ignored',
      );
      return;
    }
    const now = new Date();
    const event = testEventOf(command, subscription.record, now);
    const id = deliveryIdOf(subscription.record.id, event.id);
    const delivery = {
      id,
      subscriptionId: subscription.record.id,
      businessId: subscription.record.businessId,
      topic: subscription.record.topic,
      eventId: event.id,
      eventType: event.type,
      body: JSON.stringify(event),
      test: true,
    };
    // Due at once: the scheduler attempts it in the subscription's lane, on the normal path, so
    // the command consumer never waits for an endpoint (a test to one that never answers would
    // otherwise hold the consumer's batch past its session timeout). Its attempt is published
    // once stored, and the admin API waits for that.
    const inserted = await this.repository.insertPending([{ ...delivery, nextAttemptAt: now }]);
    if (!inserted.has(id)) return; // The same request again: it was sent already.
    this.scheduler.wake();
  }

  private async waitForSubscription(command: TestDeliveryCommand): Promise<Subscription | null> {
    const deadline = Date.now() + SUBSCRIPTION_WAIT_MS;
    for (;;) {
      const subscription = this.registry.get(command.subscriptionId);
      if (
        subscription &&
        subscription.record.businessId === command.businessId &&
        subscription.record.topic === command.topic
      ) {
        return subscription;
      }
      if (Date.now() >= deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
