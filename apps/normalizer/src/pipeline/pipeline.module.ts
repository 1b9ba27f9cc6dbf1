import { type DynamicModule, Module } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';
import { EventPublisher } from './event.publisher';
import { NormalizeBatchService } from './normalize-batch.service';
import { NormalizerMetrics } from './normalizer.metrics';
import { NORMALIZER_GROUP_ID, RawWebhookConsumer } from './raw-webhook.consumer';

@Module({})
export class PipelineModule {
  static forRoot(options: { groupId: string }): DynamicModule {
    return {
      module: PipelineModule,
      providers: [
        { provide: NORMALIZER_GROUP_ID, useValue: options.groupId },
        AuditLogRepository,
        EventPublisher,
        NormalizerMetrics,
        NormalizeBatchService,
        RawWebhookConsumer,
      ],
      exports: [NormalizeBatchService, EventPublisher],
    };
  }
}
