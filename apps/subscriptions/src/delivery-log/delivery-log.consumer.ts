import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  decode,
  type DeliveryAttempt,
  DeliveryAttemptsTopic,
  type SubscriptionHealthEvent,
  SubscriptionEventsTopic,
} from '@switchboard/contracts';
import { BatchConsumer, KAFKA_CLIENT, TopicNames } from '@switchboard/kafka';
import type { Kafka } from 'kafkajs';
import { SUBSCRIPTIONS_CONFIG } from '../config/config.tokens';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { DeliveryLogService } from './delivery-log.service';

/**
 * Thin: decodes batches of delivery attempts and health announcements and hands them to the
 * delivery log; offsets are committed once they are stored. A record that does not decode is
 * logged and skipped (the topics belong to the delivery service, which validates what it sends).
 */
@Injectable()
export class DeliveryLogConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryLogConsumer.name);
  private readonly consumer: BatchConsumer;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(SUBSCRIPTIONS_CONFIG) config: SubscriptionsConfig,
    topics: TopicNames,
    private readonly deliveryLog: DeliveryLogService,
  ) {
    const attemptsTopic = topics.name(DeliveryAttemptsTopic);
    const eventsTopic = topics.name(SubscriptionEventsTopic);
    this.consumer = new BatchConsumer(kafka, {
      groupId: `${config.CONSUMER_GROUP_ID}-delivery-log`,
      topics: [attemptsTopic, eventsTopic],
      partitionsConsumedConcurrently: 3,
      handler: async (batch) => {
        const attempts: DeliveryAttempt[] = [];
        const health: SubscriptionHealthEvent[] = [];
        for (const message of batch.messages) {
          const decoded =
            batch.topic === attemptsTopic
              ? decode(DeliveryAttemptsTopic, message.value)
              : decode(SubscriptionEventsTopic, message.value);
          if (!decoded.ok) {
            this.logger.warn(
              {
                topic: batch.topic,
                offset: message.offset,
                reason: decoded.reason,
                message: decoded.message,
              },
              'Undecodable record skipped',
            );
            continue;
          }
          if (batch.topic === attemptsTopic) attempts.push(decoded.value as DeliveryAttempt);
          else health.push(decoded.value as SubscriptionHealthEvent);
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
