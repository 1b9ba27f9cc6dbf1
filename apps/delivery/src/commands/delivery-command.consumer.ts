import { Inject, Injectable, Logger } from '@nestjs/common';
import { decode, DeliveryCommandsTopic } from '@switchboard/contracts';
import {
  BatchConsumer,
  type BatchConsumerOptions,
  KAFKA_CLIENT,
  TopicNames,
} from '@switchboard/kafka';
import type { Kafka } from 'kafkajs';
import { DELIVERY_CONFIG } from '../config/delivery-config.module';
import type { DeliveryConfig } from '../config/delivery.config';
import { DeliveryCommandsService } from './delivery-commands.service';

/**
 * Thin: decodes `switchboard.delivery.commands.v1` and hands each command to the use case, in
 * order; offsets are committed once the batch is carried out. Its own consumer group, so commands
 * never wait behind event batches.
 */
@Injectable()
export class DeliveryCommandConsumer {
  private readonly logger = new Logger(DeliveryCommandConsumer.name);
  private readonly options: BatchConsumerOptions;
  private consumer: BatchConsumer | null = null;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(DELIVERY_CONFIG) config: DeliveryConfig,
    topics: TopicNames,
    commands: DeliveryCommandsService,
  ) {
    const topic = topics.name(DeliveryCommandsTopic);
    this.options = {
      groupId: `${config.CONSUMER_GROUP_ID}.commands`,
      topics: [topic],
      partitionsConsumedConcurrently: 3,
      handler: async (batch) => {
        for (const message of batch.messages) {
          const decoded = decode(DeliveryCommandsTopic, message.value);
          if (!decoded.ok) {
            this.logger.warn(
              {
                topic,
                offset: message.offset,
                reason: decoded.reason,
                issues: decoded.issues.slice(0, 5),
              },
              'Command refused by its schema; skipped',
            );
            continue;
          }
          await commands.handle(decoded.value);
        }
      },
    };
  }

  get isJoined(): boolean {
    return this.consumer?.isJoined ?? false;
  }

  /** Joins the group with a new consumer (also after a start that failed). */
  async start(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = new BatchConsumer(this.kafka, this.options);
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}
