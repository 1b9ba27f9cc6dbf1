import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigTopicFollower, KAFKA_CLIENT, TopicNames } from '@switchboard/kafka';
import { ReadinessService } from '@switchboard/service-kit';
import type { Kafka } from 'kafkajs';
import { SubscriptionRegistry } from './subscription-registry';

/**
 * Follows the compacted config topic and keeps the subscription registry current. Delivery is
 * ready, and starts consuming events and retrying, only once it has read the topic up to where it
 * stood at start: an event matched against a half-read registry would be lost.
 */
@Injectable()
export class SubscriptionConfigConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly follower: ConfigTopicFollower;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    registry: SubscriptionRegistry,
    private readonly readiness: ReadinessService,
    topics: TopicNames,
  ) {
    this.follower = new ConfigTopicFollower(kafka, topics, {
      groupIdPrefix: 'switchboard-delivery-config',
      apply: ({ key, record }) => {
        if (record?.kind === 'subscription') registry.upsert(record);
        else if (record === null && key.kind === 'subscription') {
          registry.remove(key.businessId, key.topic);
        }
      },
    });
  }

  /** Resolves once the registry holds everything the config topic held at start. */
  get caughtUp(): Promise<void> {
    return this.follower.caughtUp;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.follower.start(this.readiness);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.follower.stop();
  }
}
