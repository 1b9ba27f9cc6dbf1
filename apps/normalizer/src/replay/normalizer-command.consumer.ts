import {
  type BeforeApplicationShutdown,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { NormalizerCommandsTopic } from '@switchboard/contracts';
import { type TopicConsumer, TopicConsumers } from '@switchboard/kafka';
import { InjectConfig } from '@switchboard/service-kit';
import type { NormalizerConfig } from '../config/normalizer.config';
import { ReplayService } from './replay.service';

/**
 * Thin: hands each command of `switchboard.normalizer.commands.v1`, decoded, to the replay use
 * case, in order (group `<CONSUMER_GROUP_ID>-commands`); offsets commit once the batch is done. A record that is not a command is
 * logged, counted and skipped by the topic consumer (the subscriptions service validates what it
 * sends).
 */
@Injectable()
export class NormalizerCommandConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly consumer: TopicConsumer<typeof NormalizerCommandsTopic.schema, 'delete'>;

  constructor(
    consumers: TopicConsumers,
    @InjectConfig() config: NormalizerConfig,
    private readonly replays: ReplayService,
  ) {
    this.consumer = consumers.create({
      groupId: `${config.CONSUMER_GROUP_ID}-commands`,
      topics: [NormalizerCommandsTopic],
      handle: async ({ records, batch }) => {
        for (const record of records) {
          await this.replays.replay(record.value);
          await batch.heartbeat();
        }
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
