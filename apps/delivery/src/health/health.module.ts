import { Module } from '@nestjs/common';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { EndpointHealthService } from './endpoint-health.service';
import { HealthEventPublisher } from './health-event.publisher';
import { SubscriptionHealthRepository } from './subscription-health.repository';

/** Endpoint health per subscription: failing, disabled, recovered. */
@Module({
  imports: [SubscriptionsModule],
  providers: [SubscriptionHealthRepository, HealthEventPublisher, EndpointHealthService],
  exports: [EndpointHealthService],
})
export class HealthModule {}
