import { baseServiceEnv, databaseEnv } from '@switchboard/service-kit';
import { z } from 'zod';

/** Environment of the normalizer service; parsed before the application is created. */
export const NormalizerConfig = baseServiceEnv({
  port: 8082,
  clientId: 'switchboard-normalizer',
})
  .extend(databaseEnv.shape)
  .extend({
    CONSUMER_GROUP_ID: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Consumer group reading the raw topic, shared by every normalizer instance; unset: `<KAFKA_TOPIC_PREFIX>switchboard-normalizer`',
      ),
    /**
     * Most canonical events one inbound webhook may become (Meta batches up to 1,000 updates); a
     * webhook beyond it is dead-lettered whole (`too_many_events`), so one tenant's oversized
     * request cannot hold up the events of every other behind it.
     */
    MAX_EVENTS_PER_WEBHOOK: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(5_000)
      .describe(
        'Most canonical events one inbound webhook may become (malformed items count); a webhook beyond it is dead-lettered whole (`too_many_events`)',
      ),
    BULK_EVENTS_PER_SECOND: z.coerce
      .number()
      .positive()
      .max(1_000_000)
      .default(200)
      .describe(
        "Most canonical events a second this instance publishes of the bulk raw topic's webhooks (bodies over ingress's BULK_WEBHOOK_BYTES) while the raw topic is quiet; the rest wait on the topic, so huge batches never crowd out the raw topic's webhooks",
      ),
    BULK_EVENTS_PER_SECOND_BUSY: z.coerce
      .number()
      .positive()
      .max(1_000_000)
      .default(25)
      .describe(
        "The bulk lane's pace while other webhooks are flowing (the raw topic's consumer handled a batch within the last second): huge batches then yield to every other business's webhooks, all the way to delivery",
      ),
  })
  // Groups are named after the topic prefix by default, so that environments (or test runs)
  // sharing a cluster through KAFKA_TOPIC_PREFIX never join each other's groups.
  .transform((config) => ({
    ...config,
    CONSUMER_GROUP_ID:
      config.CONSUMER_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}switchboard-normalizer`,
  }));
export type NormalizerConfig = z.infer<typeof NormalizerConfig>;
