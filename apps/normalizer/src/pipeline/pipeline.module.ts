import { type DynamicModule, Module } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';
import { BULK_EVENTS_PER_SECOND, BulkWebhookConsumer } from './bulk-webhook.consumer';
import { EventPublisher } from './event.publisher';
import { MAX_EVENTS_PER_WEBHOOK, NormalizeBatchService } from './normalize-batch.service';
import { NormalizerMetrics } from './normalizer.metrics';
import { NORMALIZER_GROUP_ID, RawWebhookConsumer } from './raw-webhook.consumer';

@Module({})
export class PipelineModule {
  static forRoot(options: {
    groupId: string;
    maxEventsPerWebhook: number;
    bulkEventsPerSecond: number;
  }): DynamicModule {
    return {
      module: PipelineModule,
      providers: [
        { provide: NORMALIZER_GROUP_ID, useValue: options.groupId },
        { provide: MAX_EVENTS_PER_WEBHOOK, useValue: options.maxEventsPerWebhook },
        { provide: BULK_EVENTS_PER_SECOND, useValue: options.bulkEventsPerSecond },
        AuditLogRepository,
        EventPublisher,
        NormalizerMetrics,
        NormalizeBatchService,
        RawWebhookConsumer,
        BulkWebhookConsumer,
      ],
      exports: [NormalizeBatchService, EventPublisher],
    };
  }
}
