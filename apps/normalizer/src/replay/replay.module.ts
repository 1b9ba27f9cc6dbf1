import { Module } from '@nestjs/common';
import { EventPublisher } from '../pipeline/event.publisher';
import { NormalizerCommandConsumer } from './normalizer-command.consumer';
import { ReplayRepository } from './replay.repository';
import { ReplayService } from './replay.service';

/** Replays of raw webhooks from the audit log, asked for on the normalizer's command topic. */
@Module({
  providers: [EventPublisher, ReplayRepository, ReplayService, NormalizerCommandConsumer],
  exports: [ReplayService],
})
export class ReplayModule {}
