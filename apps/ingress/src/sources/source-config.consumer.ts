import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigTopicFollower, KAFKA_CLIENT, TopicNames } from '@switchboard/kafka';
import { ReadinessService } from '@switchboard/service-kit';
import type { Kafka } from 'kafkajs';
import { SourceRegistry } from './source-registry';

/**
 * Keeps the source registry current from the compacted config topic. Ingress is ready only once
 * it has read the topic up to where it stood at start.
 */
@Injectable()
export class SourceConfigConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly follower: ConfigTopicFollower;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    private readonly registry: SourceRegistry,
    private readonly readiness: ReadinessService,
    topics: TopicNames,
  ) {
    this.follower = new ConfigTopicFollower(kafka, topics, {
      groupIdPrefix: 'switchboard-ingress-config',
      apply: ({ key, record }) => {
        if (record?.kind === 'source') registry.upsert(record);
        else if (record === null && key.kind === 'source') registry.remove(key.id);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    void this.follower.caughtUp.then(() => this.registry.markLoaded());
    await this.follower.start(this.readiness);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.follower.stop();
  }
}
