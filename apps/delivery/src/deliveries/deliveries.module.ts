import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { DeliveryConfig } from '../config/delivery.config';
import { HealthModule } from '../health/health.module';
import { StatusProgressRepository } from '../ordering/status-progress.repository';
import { SendingModule } from '../sending/sending.module';
import { SubscriptionLanes } from '../sending/subscription-lanes';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { AttemptPublisher } from './attempt.publisher';
import { AttemptService } from './attempt.service';
import { BusinessQuotas } from './business-quotas';
import { DeliveryMetrics } from './delivery.metrics';
import { DeliveryRepository } from './delivery.repository';
import { DispatchService } from './dispatch.service';
import { EventConsumer } from './event.consumer';

/** Canonical events to stored deliveries and their attempts. */
@Module({
  imports: [SubscriptionsModule, SendingModule, HealthModule],
  providers: [
    DeliveryRepository,
    StatusProgressRepository,
    DeliveryMetrics,
    AttemptPublisher,
    AttemptService,
    {
      provide: BusinessQuotas,
      useFactory: (lanes: SubscriptionLanes, config: DeliveryConfig) =>
        new BusinessQuotas(lanes, { maxInFlight: config.BUSINESS_MAX_IN_FLIGHT }),
      inject: [SubscriptionLanes, SERVICE_CONFIG],
    },
    DispatchService,
    EventConsumer,
  ],
  exports: [
    DeliveryRepository,
    StatusProgressRepository,
    AttemptService,
    BusinessQuotas,
    DispatchService,
    EventConsumer,
    DeliveryMetrics,
  ],
})
export class DeliveriesModule {}
