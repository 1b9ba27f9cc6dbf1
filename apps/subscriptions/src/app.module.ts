import { type DynamicModule, Module } from '@nestjs/common';
import { allTopics } from '@switchboard/contracts';
import { DatabaseModule } from '@switchboard/database';
import { KafkaModule } from '@switchboard/kafka';
import { ServiceKitModule } from '@switchboard/service-kit';
import type { SubscriptionsConfig } from './config/subscriptions.config';

@Module({})
export class AppModule {
  static forRoot(config: SubscriptionsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'subscriptions', logLevel: config.LOG_LEVEL }),
        KafkaModule.forRoot({
          clientId: config.KAFKA_CLIENT_ID,
          brokers: config.KAFKA_BROKERS,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          topics: allTopics(),
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: 'subscriptions',
          poolSize: config.DATABASE_POOL_SIZE,
          // This service owns no tables yet; it uses PostgreSQL from the next releases on.
          entities: [],
          migrations: [],
        }),
      ],
    };
  }
}
