import { Module } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';
import { BulkWebhookConsumer } from './bulk-webhook.consumer';
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
  ],
  exports: [NormalizeBatchService, EventPublisher],
})
export class PipelineModule {}
