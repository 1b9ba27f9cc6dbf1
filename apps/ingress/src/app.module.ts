import { type DynamicModule, Module } from '@nestjs/common';
import { allTopics } from '@switchboard/contracts';
import { KafkaModule } from '@switchboard/kafka';
import { ServiceConfigModule, ServiceKitModule } from '@switchboard/service-kit';
import type { IngressConfig } from './config/ingress.config';
import { ConnectionDrain } from './server/connection-drain';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: IngressConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({
          service: 'ingress',
          logLevel: config.LOG_LEVEL,
          // Webhooks log nothing per request (rejections are counted and recorded instead).
          unloggedRoutes: ['webhooks/{*path}'],
        }),
        ServiceConfigModule.forRoot(config),
        KafkaModule.forService(config, {
          topics: allTopics(),
          // One span per webhook when tracing: the raw record's send is recorded on the request
          // span, whose context its traceparent carries (the request does nothing else).
          producer: { ackTimeoutMs: config.KAFKA_ACK_TIMEOUT_MS, sendSpans: false },
        }),
        WebhooksModule,
      ],
      providers: [ConnectionDrain],
    };
  }
}
