import { type DynamicModule, Module } from '@nestjs/common';
import { allTopics } from '@switchboard/contracts';
import { DatabaseModule } from '@switchboard/database';
import { KafkaModule } from '@switchboard/kafka';
import { ServiceKitModule } from '@switchboard/service-kit';
import { CanonicalEventEntity } from './audit-log/canonical-event.entity';
import { RawWebhookEntity } from './audit-log/raw-webhook.entity';
import type { NormalizerConfig } from './config/normalizer.config';
import { normalizerMigrations } from './database/migrations';

@Module({})
export class AppModule {
  static forRoot(config: NormalizerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'normalizer', logLevel: config.LOG_LEVEL }),
        KafkaModule.forRoot({
          clientId: config.KAFKA_CLIENT_ID,
          brokers: config.KAFKA_BROKERS,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          topics: allTopics(),
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: 'normalizer',
          poolSize: config.DATABASE_POOL_SIZE,
          entities: [RawWebhookEntity, CanonicalEventEntity],
          migrations: normalizerMigrations,
        }),
      ],
    };
  }
}
