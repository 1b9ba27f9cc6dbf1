import { Injectable } from '@nestjs/common';
import { DeliveryCommandsTopic } from '@switchboard/contracts';
import { TopicConsumers } from '@switchboard/kafka';
import { InjectConfig } from '@switchboard/service-kit';
import type { DeliveryConfig } from '../config/delivery.config';
import { DeliveryCommandsService } from './delivery-commands.service';

/**
 * Thin: hands each command of `switchboard.delivery.commands.v1`, decoded, to the use case, in
 * order; offsets are committed once the batch is carried out. A record that is not a command is
 * logged, counted and skipped by the topic consumer. Its own consumer group, so commands never
 * wait behind event batches.
 */
@Injectable()
export class DeliveryCommandConsumer {
  private readonly consumer;

  constructor(
    consumers: TopicConsumers,
    @InjectConfig() config: DeliveryConfig,
    commands: DeliveryCommandsService,
  ) {
    this.consumer = consumers.create({
      groupId: `${config.CONSUMER_GROUP_ID}.commands`,
      topics: [DeliveryCommandsTopic],
      partitionsConsumedConcurrently: 3,
      handle: async ({ records }) => {
        for (const record of records) await commands.handle(record.value);
      },
    });
  }

  get isJoined(): boolean {
    return this.consumer.isJoined;
  }

  /** Joins the group with a new consumer (also after a start that failed). */
  async start(): Promise<void> {
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
  }
}
