import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { NormalizerCommandsTopic } from '@switchboard/contracts';
import { type TopicConsumer, TopicConsumers } from '@switchboard/kafka';
import { ReplayService } from './replay.service';

export const NORMALIZER_COMMANDS_GROUP_ID = Symbol('NORMALIZER_COMMANDS_GROUP_ID');

/**
 * Thin: hands each command of `switchboard.normalizer.commands.v1`, decoded, to the replay use
 * case, in order; offsets commit once the batch is done. A record that is not a command is
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
    @Inject(NORMALIZER_COMMANDS_GROUP_ID) groupId: string,
    private readonly replays: ReplayService,
  ) {
    this.consumer = consumers.create({
      groupId,
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
