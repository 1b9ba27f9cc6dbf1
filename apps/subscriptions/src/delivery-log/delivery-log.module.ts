import { Module } from '@nestjs/common';
import { BusinessesModule } from '../businesses/businesses.module';
import { CursorModule } from '../common/cursor.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { DeliveryCommandsService } from './delivery-commands.service';
import { DeliveryLogConsumer } from './delivery-log.consumer';
import { DeliveryLogController } from './delivery-log.controller';
import { DeliveryLogRepository } from './delivery-log.repository';
import { DeliveryLogService } from './delivery-log.service';

/** The delivery log read model, endpoint health, and commands to the delivery service. */
@Module({
  imports: [BusinessesModule, CursorModule, WebhooksModule],
  controllers: [DeliveryLogController],
  providers: [
    DeliveryLogRepository,
    DeliveryLogService,
    DeliveryCommandsService,
    DeliveryLogConsumer,
  ],
  exports: [DeliveryLogService, DeliveryCommandsService],
})
export class DeliveryLogModule {}
