import { Module } from '@nestjs/common';
import { BusinessesModule } from '../businesses/businesses.module';
import { OutboxModule } from '../outbox/outbox.module';
import { SourcesModule } from '../sources/sources.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { DataKeysController } from './data-keys.controller';
import { DataKeysService } from './data-keys.service';

/** Stored secrets under the data keys: sealing at start and the `rotate-data-key` command. */
@Module({
  imports: [BusinessesModule, OutboxModule, SourcesModule, WebhooksModule],
  controllers: [DataKeysController],
  providers: [DataKeysService],
  exports: [DataKeysService],
})
export class SecretsModule {}
