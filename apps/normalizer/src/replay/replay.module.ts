import { type DynamicModule, Module } from '@nestjs/common';
import { EventPublisher } from '../pipeline/event.publisher';
import { MAX_EVENTS_PER_WEBHOOK } from '../pipeline/normalize-batch.service';
import {
  NORMALIZER_COMMANDS_GROUP_ID,
  NormalizerCommandConsumer,
} from './normalizer-command.consumer';
import { ReplayRepository } from './replay.repository';
import { ReplayService } from './replay.service';

/** Replays of raw webhooks from the audit log, asked for on the normalizer's command topic. */
@Module({})
export class ReplayModule {
  static forRoot(options: { groupId: string; maxEventsPerWebhook: number }): DynamicModule {
    return {
      module: ReplayModule,
      providers: [
        { provide: NORMALIZER_COMMANDS_GROUP_ID, useValue: `${options.groupId}-commands` },
        { provide: MAX_EVENTS_PER_WEBHOOK, useValue: options.maxEventsPerWebhook },
        EventPublisher,
        ReplayRepository,
        ReplayService,
        NormalizerCommandConsumer,
      ],
      exports: [ReplayService],
    };
  }
}
