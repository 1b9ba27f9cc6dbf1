import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { SendingModule } from '../sending/sending.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { AttemptPublisher } from './attempt.publisher';
import { AttemptService } from './attempt.service';
import { DeliveryMetrics } from './delivery.metrics';
import { DeliveryRepository } from './delivery.repository';
import { DispatchService } from './dispatch.service';
import { EventConsumer } from './event.consumer';

/** Canonical events to stored deliveries and their attempts. */
@Module({
  imports: [SubscriptionsModule, SendingModule, HealthModule],
  providers: [
    DeliveryRepository,
    DeliveryMetrics,
    AttemptPublisher,
    AttemptService,
    DispatchService,
    EventConsumer,
  ],
  exports: [DeliveryRepository, AttemptService, DispatchService, EventConsumer, DeliveryMetrics],
})
export class DeliveriesModule {}
