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
import { SourceRegistry } from './source-registry';

/**
 * Follows the compacted config topic and keeps the source registry current. Ingress is ready
 * only once it has read the topic up to where it stood at start.
 */
@Injectable()
export class SourceConfigConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SourceConfigConsumer.name);
  private readonly reader: CompactedTopicReader;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    private readonly registry: SourceRegistry,
    private readonly readiness: ReadinessService,
    topics: TopicNames,
  ) {
    this.reader = new CompactedTopicReader(kafka, {
      topic: topics.name(ConfigTopic),
      groupIdPrefix: 'switchboard-ingress-config',
      onRecord: (key, value) => this.apply(key, value),
    });
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
      if (decoded.key.kind === 'source') this.registry.remove(decoded.key.id);
      return;
    }
    if (record.kind === 'source') this.registry.upsert(record);
  }
}
