import { AddressAllowlistSetting } from '@switchboard/address-policy';
import { DataKeysEnv } from '@switchboard/contracts';
import { baseServiceEnv, commaList, databaseEnv } from '@switchboard/service-kit';
import { z } from 'zod';

/** The platform's default retry delays in seconds: about 3.5 days, then dead-lettered. */
export const DEFAULT_RETRY_SCHEDULE_SECONDS = [
  5, 30, 120, 600, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400, 86_400, 86_400,
] as const;

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const retrySchedule = commaList.pipe(
  z.array(
    z.coerce
      .number<string>()
      .int('must list whole seconds')
      .positive('must list positive delays in seconds'),
  ),
);

const milliseconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Environment of the delivery service; parsed before the application is created. */
export const DeliveryConfig = baseServiceEnv({
  port: 8083,
  clientId: 'switchboard-delivery',
})
  .extend(databaseEnv.shape)
  .extend({
    /**
     * Data keys that open the signing secrets sealed on the config topic: `<key id>:<32 bytes in
     * base64>`, comma-separated, as the subscriptions service has them. Required.
     */
    DATA_KEYS: DataKeysEnv.describe(
      'Data keys opening the signing secrets sealed on the config topic, `<key id>:<32 bytes base64>`, comma-separated, as the subscriptions service has them; refused at start when missing or malformed',
    ),
    CONSUMER_GROUP_ID: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Consumer group reading the public topics (commands use `<group>.commands`); unset: `<KAFKA_TOPIC_PREFIX>switchboard-delivery`',
      ),
    /**
     * Bytes of one partition fetched at once. Every batch of a fetch is stored before the next
     * fetch, so this bounds how long an event waits behind a burst of another business's events
     * that arrived just before it (a webhook of 5,000 statuses is about 3 MB of events).
     */
    CONSUMER_MAX_BYTES_PER_PARTITION: z.coerce
      .number()
      .int()
      .min(16_384)
      .max(64 * 1_048_576)
      .default(524_288)
      .describe(
        "Bytes of one partition fetched at once: how much of a flood another business's event can wait behind",
      ),
    ALLOW_HTTP_ADDRESSES: booleanFlag
      .default(false)
      .describe('Send to plain `http:` addresses (development, tests)'),
    /**
     * Private addresses that may receive webhooks anyway, e.g. `127.0.0.1/32,hooks.internal:8443`:
     * comma-separated CIDR ranges, IP addresses, host names or `*.domain`, each but a range
     * optionally with `:port`.
     */
    ADDRESS_ALLOWLIST: AddressAllowlistSetting.describe(
      'Private addresses that may receive webhooks anyway, checked on every connection: comma-separated CIDR ranges, IP addresses, host names or `*.domain`, each but a range optionally with `:port`',
    ),
    RETRY_SCHEDULE_SECONDS: retrySchedule
      .default([...DEFAULT_RETRY_SCHEDULE_SECONDS])
      .describe(
        'Delays between attempts in seconds, comma-separated, for subscriptions that set none (about 3.5 days by default, then dead-lettered)',
      ),
    RETRY_SCHEDULE_SCALE: z.coerce
      .number()
      .positive()
      .max(1_000)
      .default(1)
      .describe(
        "Multiplies every retry delay, subscriptions' own schedules too (tests shorten the schedule with it)",
      ),
    RETRY_JITTER: z.coerce
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('Random spread of each retry delay: 0.2 is ±20 %'),
    RETRY_AFTER_MAX_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .default(86_400)
      .describe('Longest `Retry-After` honoured; longer requests are cut to this'),
    DELIVERY_TIMEOUT_MS: milliseconds(100, 60_000)
      .default(10_000)
      .describe(
        'Request timeout for subscriptions that set none (`configuration.retry.timeoutMs`)',
      ),
    /**
     * How long a consumed batch waits for its first attempts before its offsets are committed.
     * Every delivery is stored before its first attempt, so an attempt still running then simply
     * finishes in the background (or is retried from PostgreSQL after a crash).
     */
    INLINE_ATTEMPT_DEADLINE_MS: milliseconds(0, 60_000)
      .default(0)
      .describe(
        'How long a consumed batch waits for its first attempts before its offsets are committed (0: not at all, so no endpoint slows the consumer)',
      ),
    SUBSCRIPTION_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(32)
      .describe('Requests in flight to one subscription at most'),
    SUBSCRIPTION_QUEUE_LIMIT: z.coerce
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(128)
      .describe(
        'Attempts waiting for one subscription at most; beyond, deliveries wait in PostgreSQL',
      ),
    /**
     * Places one business holds in its subscriptions' lanes (attempts running or waiting) at
     * once, over all its subscriptions; beyond, its deliveries wait in PostgreSQL and the scheduler
     * takes them as places free up, so that a flood of one business cannot crowd out the others.
     */
    BUSINESS_MAX_IN_FLIGHT: z.coerce
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(128)
      .describe(
        "Places one business holds in its subscriptions' lanes together (running or waiting); beyond, its deliveries wait in PostgreSQL",
      ),
    /**
     * Most new deliveries stored by one INSERT. The statement in flight is what a delivery of
     * another business waits for at worst before it is stored and attempted.
     */
    INSERT_BATCH_MAX: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(1_000)
      .describe('Most new deliveries stored by one INSERT'),
    /**
     * New deliveries of one business per turn when a statement is shared: each INSERT takes this
     * many of every business waiting in turn, so a flood's thousands are stored beside, not ahead
     * of, another business's few.
     */
    INSERT_BUSINESS_SHARE: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .describe(
        'New deliveries of one business per turn when businesses share one INSERT (round-robin)',
      ),
    SCHEDULER_INTERVAL_MS: milliseconds(10, 60_000)
      .default(1_000)
      .describe('How often the retry scheduler looks for due deliveries'),
    SCHEDULER_BATCH_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(200)
      .describe('Most due deliveries claimed at once'),
    ATTEMPT_LEASE_MARGIN_MS: milliseconds(0, 600_000)
      .default(5_000)
      .describe("Added to a claimed delivery's lease beyond its longest possible attempt"),
    /**
     * How long a finished attempt's outcome waits for others before they are stored together in
     * one statement. Outcomes not yet stored when the process dies are attempted again when their
     * lease ends, so this (plus one write) bounds the window for a duplicate delivery.
     */
    OUTCOME_FLUSH_INTERVAL_MS: milliseconds(0, 1_000)
      .default(5)
      .describe(
        "How long an attempt's outcome waits for others before they are stored together (the duplicate window after a crash)",
      ),
    OUTCOME_FLUSH_MAX: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(1_000)
      .describe('Most outcomes stored by one statement; a full batch is written at once'),
    HEALTH_FLUSH_INTERVAL_MS: milliseconds(10, 60_000)
      .default(250)
      .describe(
        'How often endpoint health gathered in memory is stored and its transitions announced',
      ),
    FAILING_AFTER_FAILURES: z.coerce
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('Consecutive failures after which a subscription is announced failing'),
    DISABLE_AFTER_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(5 * 86_400)
      .describe('How long a failing subscription may go without a success before it is disabled'),
    /**
     * Ordered subscriptions: how long a conversation may wait for one delivery (its head, failing
     * and retried) before the head and every pending delivery behind it are dead-lettered
     * together, so one bad message cannot hold up a customer's conversation forever.
     */
    ORDERING_BLOCK_MAX_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(3_600)
      .describe(
        'Ordered subscriptions: how long one failing delivery may hold up its conversation before it and every delivery waiting behind it are dead-lettered together (recoverable)',
      ),
    /**
     * Subscriptions keeping statuses monotonic: how long the furthest status delivered of a
     * message is remembered after its last change. A status of that message arriving later still
     * is sent as if none had been.
     */
    STATUS_PROGRESS_RETENTION_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .default(30 * 24)
      .describe(
        'Subscriptions keeping statuses monotonic: how long the furthest status delivered of each message is remembered',
      ),
    SUCCEEDED_RETENTION_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .default(7 * 24)
      .describe(
        'How long succeeded deliveries are kept (a redelivered event is recognised meanwhile)',
      ),
    DEAD_LETTER_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(1)
      .default(30)
      .describe(
        "How long dead-lettered and failed deliveries are kept for recovery; it wins over the admin API's RECOVER_MAX_AGE_DAYS, so keep the two equal",
      ),
  })
  // Groups are named after the topic prefix by default, so that environments (or test runs)
  // sharing a cluster through KAFKA_TOPIC_PREFIX never join each other's groups.
  .transform((config) => ({
    ...config,
    CONSUMER_GROUP_ID:
      config.CONSUMER_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}switchboard-delivery`,
  }));
export type DeliveryConfig = z.infer<typeof DeliveryConfig>;
