import { Module } from '@nestjs/common';
import { ConfigWriter } from './config-writer';
import { OutboxPublisher } from './outbox.publisher';
import { OutboxRepository } from './outbox.repository';

/** The transactional outbox: `ConfigWriter` for writers, `OutboxPublisher` to the config topic. */
@Module({
  providers: [OutboxRepository, ConfigWriter, OutboxPublisher],
  exports: [ConfigWriter, OutboxPublisher],
})
export class OutboxModule {}
