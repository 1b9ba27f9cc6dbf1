import { Module } from '@nestjs/common';
import { SourceConfigConsumer } from '../sources/source-config.consumer';
import { SourceRegistry } from '../sources/source-registry';
import { IngestService } from './ingest.service';
import { IngressMetrics } from './ingress.metrics';
import { RejectionRecorder } from './rejection.recorder';
import { WebhookRoutes } from './webhook.routes';

@Module({
  providers: [
    { provide: SourceRegistry, useFactory: () => new SourceRegistry() },
    SourceConfigConsumer,
    IngestService,
    IngressMetrics,
    RejectionRecorder,
    WebhookRoutes,
  ],
  exports: [RejectionRecorder, SourceRegistry],
})
export class WebhooksModule {}
