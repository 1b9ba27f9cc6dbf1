import { type DynamicModule, Module } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';
import { EventPublisher } from './event.publisher';
import { MAX_EVENTS_PER_WEBHOOK, NormalizeBatchService } from './normalize-batch.service';
import { NormalizerMetrics } from './normalizer.metrics';
import { NORMALIZER_GROUP_ID, RawWebhookConsumer } from './raw-webhook.consumer';

@Module({})
export class PipelineModule {
  static forRoot(options: { groupId: string; maxEventsPerWebhook: number }): DynamicModule {
    return {
      module: PipelineModule,
      providers: [
        { provide: NORMALIZER_GROUP_ID, useValue: options.groupId },
        { provide: MAX_EVENTS_PER_WEBHOOK, useValue: options.maxEventsPerWebhook },
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
