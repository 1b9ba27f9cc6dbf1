import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  encodeMessage,
  type SubscriptionHealthEvent,
  SubscriptionEventsTopic,
  type SubscriptionRecord,
} from '@switchboard/contracts';
import { BatchingProducer, TopicNames } from '@switchboard/kafka';
import type { Announcement } from './endpoint-health';

/** Announces endpoint health changes on `switchboard.subscriptions.events.v1`. */
@Injectable()
export class HealthEventPublisher {
  private readonly topic: string;

  constructor(
    private readonly producer: BatchingProducer,
    topics: TopicNames,
  ) {
    this.topic = topics.name(SubscriptionEventsTopic);
  }

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
    await this.producer.send(this.topic, encodeMessage(SubscriptionEventsTopic, event));
    return event;
  }
}
