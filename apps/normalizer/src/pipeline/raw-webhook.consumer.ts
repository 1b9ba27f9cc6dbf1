import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InboundRawTopic } from '@switchboard/contracts';
import { BatchConsumer, KAFKA_CLIENT, TopicNames } from '@switchboard/kafka';
import type { Kafka } from 'kafkajs';
import { NormalizeBatchService } from './normalize-batch.service';

export const NORMALIZER_GROUP_ID = Symbol('NORMALIZER_GROUP_ID');

/** Thin: hands each batch of the raw topic to the use case; offsets commit after it succeeds. */
@Injectable()
export class RawWebhookConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: BatchConsumer;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(NORMALIZER_GROUP_ID) groupId: string,
    topics: TopicNames,
    private readonly normalizeBatch: NormalizeBatchService,
  ) {
    const topic = topics.name(InboundRawTopic);
    this.consumer = new BatchConsumer(kafka, {
      groupId,
      topics: [topic],
      partitionsConsumedConcurrently: 3,
      handler: async (batch) => {
        await this.normalizeBatch.process(
          batch.messages.map((m, i) => ({
            topic,
            partition: batch.partition,
            offset: m.offset,
            value: m.value,
            traceContext: batch.traceContext(i),
          })),
        );
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
