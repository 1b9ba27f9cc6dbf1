import { type DynamicModule, Module } from '@nestjs/common';
import { allTopics } from '@switchboard/contracts';
import { DatabaseModule } from '@switchboard/database';
import { KafkaModule } from '@switchboard/kafka';
import { ServiceConfigModule, ServiceKitModule } from '@switchboard/service-kit';
import type { DeliveryConfig } from './config/delivery.config';
import { deliveryMigrations } from './database/migrations';
import { DeliveryEntity } from './deliveries/delivery.entity';
import { StatusProgressEntity } from './deliveries/status-progress.entity';
import { SubscriptionHealthEntity } from './health/subscription-health.entity';
import { LifecycleModule } from './lifecycle/lifecycle.module';

@Module({})
export class AppModule {
  static forRoot(config: DeliveryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'delivery', logLevel: config.LOG_LEVEL }),
        ServiceConfigModule.forRoot(config),
        KafkaModule.forService(config, { topics: allTopics() }),
        DatabaseModule.forService(config, {
          schema: 'delivery',
          entities: [DeliveryEntity, StatusProgressEntity, SubscriptionHealthEntity],
          migrations: deliveryMigrations,
        }),
        LifecycleModule,
      ],
    };
  }
}
