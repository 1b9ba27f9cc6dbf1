import { Module } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';
import { BulkWebhookConsumer } from './bulk-webhook.consumer';
import { LaneActivity } from './event-pacer';
import { EventPublisher } from './event.publisher';
import { NormalizeBatchService } from './normalize-batch.service';
import { NormalizerMetrics } from './normalizer.metrics';
import { RawWebhookConsumer } from './raw-webhook.consumer';

@Module({
  providers: [
    AuditLogRepository,
    EventPublisher,
    NormalizerMetrics,
    NormalizeBatchService,
    RawWebhookConsumer,
    BulkWebhookConsumer,
    // Busy while the raw topic's consumer handled a batch within the last second.
    { provide: LaneActivity, useFactory: () => new LaneActivity(1_000) },
  ],
  exports: [NormalizeBatchService, EventPublisher],
})
export class PipelineModule {}
