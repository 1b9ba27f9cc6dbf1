import { type DynamicModule, Module } from '@nestjs/common';
import { allTopics } from '@switchboard/contracts';
import { DatabaseModule } from '@switchboard/database';
import { KafkaModule } from '@switchboard/kafka';
import { ServiceKitModule } from '@switchboard/service-kit';
import { DeliveryConfigModule } from './config/delivery-config.module';
import type { DeliveryConfig } from './config/delivery.config';
import { deliveryMigrations } from './database/migrations';
import { DeliveryEntity } from './deliveries/delivery.entity';
import { SubscriptionHealthEntity } from './health/subscription-health.entity';
import { LifecycleModule } from './lifecycle/lifecycle.module';

@Module({})
export class AppModule {
  static forRoot(config: DeliveryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'delivery', logLevel: config.LOG_LEVEL }),
        DeliveryConfigModule.forRoot(config),
        KafkaModule.forRoot({
          clientId: config.KAFKA_CLIENT_ID,
          brokers: config.KAFKA_BROKERS,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          topics: allTopics(),
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: 'delivery',
          poolSize: config.DATABASE_POOL_SIZE,
          entities: [DeliveryEntity, SubscriptionHealthEntity],
          migrations: deliveryMigrations,
        }),
        LifecycleModule,
      ],
    };
  }
}
