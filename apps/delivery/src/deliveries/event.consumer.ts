import { Injectable } from '@nestjs/common';
import { PublicTopics } from '@switchboard/contracts';
import { TopicConsumers } from '@switchboard/kafka';
import { InjectConfig } from '@switchboard/service-kit';
import type { DeliveryConfig } from '../config/delivery.config';
import { DispatchService } from './dispatch.service';

/**
 * Thin: hands each batch of every public topic (`switchboard.<topic>.v1`), decoded, to the
 * dispatch use case; the batch's offsets are committed once it resolves, that is once every
 * matching delivery is done or stored. A record that is not a CloudEvent is logged, counted and
 * skipped by the topic consumer. Started by the lifecycle once the subscriptions are loaded.
 */
@Injectable()
export class EventConsumer {
  private readonly consumer;

  constructor(
    consumers: TopicConsumers,
    @InjectConfig() config: DeliveryConfig,
    dispatch: DispatchService,
  ) {
    this.consumer = consumers.create({
      groupId: config.CONSUMER_GROUP_ID,
      topics: Object.values(PublicTopics),
      partitionsConsumedConcurrently: 16,
      maxBytesPerPartition: config.CONSUMER_MAX_BYTES_PER_PARTITION,
      handle: async ({ records, batch }) => {
        await dispatch.process(
          records.map((record) => ({
            topic: record.topic,
            partition: record.partition,
            offset: record.offset,
            event: record.value,
            body: record.bytes?.toString('utf8') ?? JSON.stringify(record.value),
            timestamp: record.timestamp,
            traceContext: batch.traceContext(record.index),
          })),
        );
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
