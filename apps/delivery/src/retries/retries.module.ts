import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { SendingModule } from '../sending/sending.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { RetryScheduler } from './retry.scheduler';

/** Durable retries: the scheduler that attempts due deliveries from PostgreSQL. */
@Module({
  imports: [DeliveriesModule, SubscriptionsModule, SendingModule],
  providers: [RetryScheduler],
  exports: [RetryScheduler],
})
export class RetriesModule {}
