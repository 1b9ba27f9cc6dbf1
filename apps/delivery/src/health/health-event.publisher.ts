import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type SubscriptionHealthEvent,
  SubscriptionEventsTopic,
  type SubscriptionRecord,
} from '@switchboard/contracts';
import { TopicPublisher } from '@switchboard/kafka';
import type { Announcement } from './endpoint-health';

/** Announces endpoint health changes on `switchboard.subscriptions.events.v1`. */
@Injectable()
export class HealthEventPublisher {
  constructor(private readonly publisher: TopicPublisher) {}

  async publish(
    subscription: SubscriptionRecord,
    announcement: Announcement,
    consecutiveFailures: number,
    at: Date,
  ): Promise<SubscriptionHealthEvent> {
    const event: SubscriptionHealthEvent = {
      id: randomUUID(),
      type: announcement.type,
      businessId: subscription.businessId,
      subscriptionId: subscription.id,
      topic: subscription.topic,
      occurredAt: at.toISOString(),
      reason: announcement.reason,
      consecutiveFailures,
    };
    await this.publisher.publish(SubscriptionEventsTopic, event);
    return event;
  }
}
