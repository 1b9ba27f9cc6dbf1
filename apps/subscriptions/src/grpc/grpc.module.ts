import { Module } from '@nestjs/common';
import { BusinessesModule } from '../businesses/businesses.module';
import { SecretsModule } from '../secrets/secrets.module';
import { SourcesModule } from '../sources/sources.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { DeadLettersModule } from '../dead-letters/dead-letters.module';
import { DeliveryLogModule } from '../delivery-log/delivery-log.module';
import { EventsModule } from '../events/events.module';
import { BusinessesGrpcController } from '../businesses/businesses-grpc.controller';
import { DataKeysGrpcController } from '../secrets/data-keys-grpc.controller';
import { DeadLettersGrpcController } from '../dead-letters/dead-letters-grpc.controller';
import { DeliveriesGrpcController } from '../delivery-log/deliveries-grpc.controller';
import { EventsGrpcController } from '../events/events-grpc.controller';
import { SourcesGrpcController } from '../sources/sources-grpc.controller';
import { WebhooksGrpcController } from '../webhooks/webhooks-grpc.controller';
import { GrpcHealth } from './grpc-health';

/** The gRPC face of the admin API: thin controllers over the same use cases as REST. */
@Module({
  imports: [
    BusinessesModule,
    SourcesModule,
    WebhooksModule,
    DeliveryLogModule,
    DeadLettersModule,
    EventsModule,
    SecretsModule,
  ],
  controllers: [
    BusinessesGrpcController,
    SourcesGrpcController,
    WebhooksGrpcController,
    DeliveriesGrpcController,
    DeadLettersGrpcController,
    EventsGrpcController,
    DataKeysGrpcController,
  ],
  providers: [GrpcHealth],
  exports: [GrpcHealth],
})
export class GrpcModule {}
