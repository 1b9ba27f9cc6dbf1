import { type DynamicModule, Module } from '@nestjs/common';
import { allTopics } from '@switchboard/contracts';
import { DatabaseModule } from '@switchboard/database';
import { KafkaModule } from '@switchboard/kafka';
import { ServiceConfigModule, ServiceKitModule } from '@switchboard/service-kit';
import { BusinessesModule } from './businesses/businesses.module';
import type { SubscriptionsConfig } from './config/subscriptions.config';
import { subscriptionsEntities } from './database/entities';
import { subscriptionsMigrations } from './database/migrations';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { DeliveryLogModule } from './delivery-log/delivery-log.module';
import { EventsModule } from './events/events.module';
import { GrpcModule } from './grpc/grpc.module';
import { HealthStatsModule } from './health-stats/health-stats.module';
import { OutboxModule } from './outbox/outbox.module';
import { SourcesModule } from './sources/sources.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** The admin API: REST under /v1 and gRPC, over PostgreSQL, publishing config through the outbox. */
@Module({})
export class AppModule {
  static forRoot(config: SubscriptionsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'subscriptions', logLevel: config.LOG_LEVEL }),
        ServiceConfigModule.forRoot(config),
        KafkaModule.forService(config, { topics: allTopics() }),
        DatabaseModule.forService(config, {
          schema: 'subscriptions',
          entities: subscriptionsEntities,
          migrations: subscriptionsMigrations,
        }),
        OutboxModule,
        BusinessesModule,
        SourcesModule,
        WebhooksModule,
        DeliveryLogModule,
        DeadLettersModule,
        EventsModule,
        HealthStatsModule,
        GrpcModule,
      ],
    };
  }
}
