import {
  type BeforeApplicationShutdown,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type DeliveryAttempt,
  DeliveryAttemptsTopic,
  type SubscriptionHealthEvent,
  SubscriptionEventsTopic,
  type TopicDefinition,
} from '@switchboard/contracts';
import { type TopicConsumer, TopicConsumers } from '@switchboard/kafka';
import type { z } from 'zod';
import { InjectConfig } from '@switchboard/service-kit';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { DeliveryLogService } from './delivery-log.service';

/**
 * Thin: hands batches of delivery attempts and health announcements, decoded, to the delivery
 * log; offsets are committed once they are stored. A record that does not decode is logged,
 * counted and skipped by the topic consumer (the topics belong to the delivery service, which
 * validates what it sends).
 */
@Injectable()
export class DeliveryLogConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: TopicConsumer<z.ZodType, 'delete'>;

  constructor(
    consumers: TopicConsumers,
    @InjectConfig() config: SubscriptionsConfig,
    private readonly deliveryLog: DeliveryLogService,
  ) {
    const topics: TopicDefinition<z.ZodType, 'delete'>[] = [
      DeliveryAttemptsTopic,
      SubscriptionEventsTopic,
    ];
    this.consumer = consumers.create({
      groupId: `${config.CONSUMER_GROUP_ID}-delivery-log`,
      topics,
      partitionsConsumedConcurrently: 3,
      handle: async ({ records }) => {
        const attempts: DeliveryAttempt[] = [];
        const health: SubscriptionHealthEvent[] = [];
        for (const record of records) {
          if (record.definition === DeliveryAttemptsTopic) {
            attempts.push(record.value as DeliveryAttempt);
          } else health.push(record.value as SubscriptionHealthEvent);
        }
        await this.deliveryLog.record(attempts, health);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
