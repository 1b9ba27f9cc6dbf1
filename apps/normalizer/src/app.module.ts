import { type DynamicModule, Module } from '@nestjs/common';
import { allTopics } from '@switchboard/contracts';
import { DatabaseModule } from '@switchboard/database';
import { KafkaModule } from '@switchboard/kafka';
import { ServiceConfigModule, ServiceKitModule } from '@switchboard/service-kit';
import { CanonicalEventEntity } from './audit-log/canonical-event.entity';
import { RawWebhookEntity } from './audit-log/raw-webhook.entity';
import type { NormalizerConfig } from './config/normalizer.config';
import { DeadLetterEntity } from './audit-log/dead-letter.entity';
import { normalizerMigrations } from './database/migrations';
import { PipelineModule } from './pipeline/pipeline.module';
import { ReplayEntity } from './audit-log/replay.entity';
import { ReplayModule } from './replay/replay.module';

@Module({})
export class AppModule {
  static forRoot(config: NormalizerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'normalizer', logLevel: config.LOG_LEVEL }),
        ServiceConfigModule.forRoot(config),
        KafkaModule.forService(config, {
          topics: allTopics(),
        }),
        DatabaseModule.forService(config, {
          schema: 'normalizer',
          entities: [RawWebhookEntity, CanonicalEventEntity, DeadLetterEntity, ReplayEntity],
          migrations: normalizerMigrations,
        }),
        PipelineModule,
        ReplayModule,
      ],
    };
  }
}
