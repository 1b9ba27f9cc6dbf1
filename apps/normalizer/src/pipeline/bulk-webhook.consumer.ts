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
import { EventPacer, LaneActivity } from './event-pacer';
import { NormalizeBatchService, PACED_SLICE } from './normalize-batch.service';
import { consumedRawOf } from './raw-webhook.consumer';

/**
 * The bulk lane's pace: `BULK_EVENTS_PER_SECOND`, or `BULK_EVENTS_PER_SECOND_BUSY` (never more)
 * while the raw topic's webhooks are flowing; slices of a tenth of a second's worth (the pacer's
 * burst, at most {@link PACED_SLICE}), so the events go downstream in an even flow, not in lumps.
 */
export function bulkPaceOf(
  config: Pick<NormalizerConfig, 'BULK_EVENTS_PER_SECOND' | 'BULK_EVENTS_PER_SECOND_BUSY'>,
  activity: Pick<LaneActivity, 'busy'>,
): { rate: () => number; slice: () => number; maxRate: number } {
  const full = config.BULK_EVENTS_PER_SECOND;
  const busy = Math.min(full, config.BULK_EVENTS_PER_SECOND_BUSY);
  const rate = (): number => (activity.busy ? busy : full);
  const slice = (): number => Math.min(PACED_SLICE, Math.max(1, Math.round(rate() / 10)));
  return { rate, slice, maxRate: full };
}

/**
 * The bulk lane: webhooks ingress found too large for the raw topic (`BULK_WEBHOOK_BYTES`), read
 * by a consumer of their own (group `<group>-bulk`), one partition at a time and little at a
 * time, and published at most `BULK_EVENTS_PER_SECOND` events a second, or
 * `BULK_EVENTS_PER_SECOND_BUSY` while the raw topic's webhooks are flowing (its consumer handled
 * a batch within the last second, {@link LaneActivity}). A business posting
 * batches of thousands of statuses thus waits behind its own batches, durably on the topic,
 * while the raw topic's webhooks of every business go through as before. Each batch is stored
 * and published slice by slice (a tenth of a second's worth each) as the pace allows; offsets
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
    activity: LaneActivity,
  ) {
    const { rate, slice, maxRate } = bulkPaceOf(config, activity);
    this.pacer = new EventPacer(rate, undefined, undefined, maxRate);
    this.consumer = consumers.create({
      groupId: `${config.CONSUMER_GROUP_ID}-bulk`,
      topics: [InboundRawBulkTopic],
      // One webhook (a fetch returns at least one record, however large) at a time.
      maxBytesPerPartition: 64 * 1024,
      handle: async (batch) => {
        await this.normalizeBatch.process(consumedRawOf(batch), {
          pace: (events) => this.pacer.take(events, batch.batch.isRunning),
          slice,
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
