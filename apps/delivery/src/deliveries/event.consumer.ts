import { Inject, Injectable } from '@nestjs/common';
import { publicTopic, SubscriptionTopic } from '@switchboard/contracts';
import {
  BatchConsumer,
  type BatchConsumerOptions,
  KAFKA_CLIENT,
  TopicNames,
} from '@switchboard/kafka';
import type { Kafka } from 'kafkajs';
import { DELIVERY_CONFIG } from '../config/delivery-config.module';
import type { DeliveryConfig } from '../config/delivery.config';
import { DispatchService } from './dispatch.service';

/**
 * Thin: hands each batch of every public topic (`switchboard.<topic>.v1`) to the dispatch use
 * case; the batch's offsets are committed once it resolves, that is once every matching delivery
 * is done or stored. Started by the lifecycle once the subscriptions are loaded.
 */
@Injectable()
export class EventConsumer {
  private readonly options: BatchConsumerOptions;
  private consumer: BatchConsumer | null = null;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(DELIVERY_CONFIG) config: DeliveryConfig,
    topics: TopicNames,
    dispatch: DispatchService,
  ) {
    this.options = {
      groupId: config.CONSUMER_GROUP_ID,
      topics: SubscriptionTopic.options.map((topic) => topics.name(publicTopic(topic))),
      partitionsConsumedConcurrently: 16,
      maxBytesPerPartition: config.CONSUMER_MAX_BYTES_PER_PARTITION,
      handler: async (batch) => {
        await dispatch.process(
          batch.messages.map((m, i) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            value: m.value,
            timestamp: m.timestamp,
            traceContext: batch.traceContext(i),
          })),
        );
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
