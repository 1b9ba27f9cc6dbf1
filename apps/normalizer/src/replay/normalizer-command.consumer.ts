import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { decode, NormalizerCommandsTopic } from '@switchboard/contracts';
import { BatchConsumer, KAFKA_CLIENT, TopicNames } from '@switchboard/kafka';
import { ReplayService } from './replay.service';

export const NORMALIZER_COMMANDS_GROUP_ID = Symbol('NORMALIZER_COMMANDS_GROUP_ID');

/**
 * Thin: hands each command of `switchboard.normalizer.commands.v1` to the replay use case, in
 * order; offsets commit once the batch is done. A record that does not decode is logged and
 * skipped (the subscriptions service validates what it sends).
 */
@Injectable()
export class NormalizerCommandConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(NormalizerCommandConsumer.name);
  private readonly consumer: BatchConsumer;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: ConstructorParameters<typeof BatchConsumer>[0],
    @Inject(NORMALIZER_COMMANDS_GROUP_ID) groupId: string,
    topics: TopicNames,
    private readonly replays: ReplayService,
  ) {
    this.consumer = new BatchConsumer(kafka, {
      groupId,
      topics: [topics.name(NormalizerCommandsTopic)],
      handler: async (batch) => {
        for (const message of batch.messages) {
          const decoded = decode(NormalizerCommandsTopic, message.value);
          if (!decoded.ok) {
            this.logger.warn(
              { offset: message.offset, reason: decoded.reason, message: decoded.message },
              'Undecodable command skipped',
            );
            continue;
          }
          await this.replays.replay(decoded.value);
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
