import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigTopic, decodeConfig } from '@switchboard/contracts';
import { CompactedTopicReader, KAFKA_CLIENT, TopicNames } from '@switchboard/kafka';
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
  private readonly logger = new Logger(SubscriptionConfigConsumer.name);
  private readonly reader: CompactedTopicReader;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    private readonly registry: SubscriptionRegistry,
    private readonly readiness: ReadinessService,
    topics: TopicNames,
  ) {
    this.reader = new CompactedTopicReader(kafka, {
      topic: topics.name(ConfigTopic),
      groupIdPrefix: 'switchboard-delivery-config',
      onRecord: (key, value) => this.apply(key, value),
    });
  }

  /** Resolves once the registry holds everything the config topic held at start. */
  get caughtUp(): Promise<void> {
    return this.reader.caughtUp;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register({
      name: 'config',
      check: async () => {
        if (!this.reader.isCaughtUp) throw new Error('Config topic not read up to its end yet');
        if (!this.reader.isFollowing) throw new Error('Config topic consumer is not running');
      },
    });
    await this.reader.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.reader.stop();
  }

  private apply(key: string, value: Buffer | null): void {
    const decoded = decodeConfig(key, value);
    if (!decoded.ok) {
      this.logger.warn(
        { key, reason: decoded.reason, message: decoded.message },
        'Bad config record skipped',
      );
      return;
    }
    const { record } = decoded;
    if (record === null) {
      if (decoded.key.kind === 'subscription') {
        this.registry.remove(decoded.key.businessId, decoded.key.topic);
      }
      return;
    }
    if (record.kind === 'subscription') this.registry.upsert(record);
  }
}
