import {
  type BeforeApplicationShutdown,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InboundRawBulkTopic } from '@switchboard/contracts';
import { type TopicConsumer, TopicConsumers } from '@switchboard/kafka';
import { InjectConfig } from '@switchboard/service-kit';
import type { NormalizerConfig } from '../config/normalizer.config';
import { BulkMapper } from './bulk-mapper';
import { EventPacer } from './event-pacer';
import { NormalizeBatchService } from './normalize-batch.service';
import { consumedRawOf } from './raw-webhook.consumer';

/**
 * The bulk lane: webhooks ingress found too large for the raw topic (`BULK_WEBHOOK_BYTES`), read
 * by a consumer of their own (group `<group>-bulk`), one partition at a time and little at a
 * time, and published at most `BULK_EVENTS_PER_SECOND` events a second. A business posting
 * batches of thousands of statuses thus waits behind its own batches, durably on the topic,
 * while the raw topic's webhooks of every business go through as before. Each batch is stored
 * whole first (one audit statement), then published slice by slice as the pace allows; offsets
 * commit after the last slice, so a stop in the middle publishes the batch again from its start
 * (at least once, as everywhere). Mapping runs in a worker thread ({@link BulkMapper}), so a
 * batch of thousands of updates never blocks the event loop the raw topic is handled on.
 */
@Injectable()
export class BulkWebhookConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: TopicConsumer<typeof InboundRawBulkTopic.schema, 'delete'>;
  private readonly pacer: EventPacer;
  private readonly mapper = new BulkMapper();

  constructor(
    consumers: TopicConsumers,
    @InjectConfig() config: NormalizerConfig,
    private readonly normalizeBatch: NormalizeBatchService,
  ) {
    this.pacer = new EventPacer(config.BULK_EVENTS_PER_SECOND);
    this.consumer = consumers.create({
      groupId: `${config.CONSUMER_GROUP_ID}-bulk`,
      topics: [InboundRawBulkTopic],
      // One webhook (a fetch returns at least one record, however large) at a time.
      maxBytesPerPartition: 64 * 1024,
      handle: async (batch) => {
        await this.normalizeBatch.process(consumedRawOf(batch), {
          pace: (events) => this.pacer.take(events, batch.batch.isRunning),
          map: (envelope, max, failedAt) => this.mapper.map(envelope, max, failedAt),
        });
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.mapper.close();
  }
}
