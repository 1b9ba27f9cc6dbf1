import { type DynamicModule, Module } from '@nestjs/common';
import type { IngressConfig } from '../config/ingress.config';
import { SourceConfigConsumer } from '../sources/source-config.consumer';
import { SourceRegistry } from '../sources/source-registry';
import { IngestService } from './ingest.service';
import { IngressMetrics } from './ingress.metrics';
import { INGRESS_CONFIG } from './ingress.tokens';
import { RejectionRecorder } from './rejection.recorder';
import { WebhookRoutes } from './webhook.routes';

@Module({})
export class WebhooksModule {
  static forRoot(config: IngressConfig): DynamicModule {
    return {
      module: WebhooksModule,
      providers: [
        { provide: INGRESS_CONFIG, useValue: config },
        { provide: SourceRegistry, useFactory: () => new SourceRegistry() },
        SourceConfigConsumer,
        IngestService,
        IngressMetrics,
        RejectionRecorder,
        WebhookRoutes,
      ],
      exports: [RejectionRecorder, SourceRegistry],
    };
  }
}
