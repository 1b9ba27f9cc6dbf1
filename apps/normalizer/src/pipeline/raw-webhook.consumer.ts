import {
  type BeforeApplicationShutdown,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InboundRawTopic, type RawInboundEnvelope } from '@switchboard/contracts';
import { type DecodedBatch, type TopicConsumer, TopicConsumers } from '@switchboard/kafka';
import { InjectConfig } from '@switchboard/service-kit';
import type { NormalizerConfig } from '../config/normalizer.config';
import { LaneActivity } from './event-pacer';
import { type ConsumedRaw, NormalizeBatchService } from './normalize-batch.service';

/** A decoded batch of a raw topic as the use case takes it: envelopes, then undecodable records. */
export function consumedRawOf({
  records,
  invalid,
  batch,
}: DecodedBatch<RawInboundEnvelope>): ConsumedRaw[] {
  const consumed: ConsumedRaw[] = records.map((record) => ({
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    envelope: record.value,
    traceContext: batch.traceContext(record.index),
  }));
  for (const record of invalid) {
    consumed.push({
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      invalid: record,
    });
  }
  return consumed;
}

/**
 * Thin: hands each batch of the raw topic, decoded, to the use case; a record that is not an
 * envelope comes with it to be dead-lettered (the catalog says so for the raw topic). Offsets
 * commit after the use case succeeds.
 */
@Injectable()
export class RawWebhookConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: TopicConsumer<typeof InboundRawTopic.schema, 'delete'>;

  constructor(
    consumers: TopicConsumers,
    @InjectConfig() config: NormalizerConfig,
    private readonly normalizeBatch: NormalizeBatchService,
    activity: LaneActivity,
  ) {
    this.consumer = consumers.create({
      groupId: config.CONSUMER_GROUP_ID,
      topics: [InboundRawTopic],
      partitionsConsumedConcurrently: 3,
      handle: async (batch) => {
        if (batch.records.length > 0) activity.touch();
        await this.normalizeBatch.process(consumedRawOf(batch));
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
