import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { RetriesModule } from '../retries/retries.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { DeliveryCommandConsumer } from './delivery-command.consumer';
import { DeliveryCommandsService } from './delivery-commands.service';

/** Operators' commands: retry one delivery, recover dead letters, send a test event. */
@Module({
  imports: [DeliveriesModule, RetriesModule, SubscriptionsModule],
  providers: [DeliveryCommandsService, DeliveryCommandConsumer],
  exports: [DeliveryCommandConsumer],
})
export class CommandsModule {}
