import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { HealthModule } from '../health/health.module';
import { RetriesModule } from '../retries/retries.module';
import { SendingModule } from '../sending/sending.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { DeliveryLifecycle } from './delivery-lifecycle.service';

/** When the delivery work starts and how it stops. */
@Module({
  imports: [
    SubscriptionsModule,
    SendingModule,
    DeliveriesModule,
    HealthModule,
    RetriesModule,
    CommandsModule,
  ],
  providers: [DeliveryLifecycle],
})
export class LifecycleModule {}
