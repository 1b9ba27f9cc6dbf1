import { DeliveryOutcome, SubscriptionState, SubscriptionTopic } from '@switchboard/contracts';
import { z } from 'zod';
import { Instant, UNTIL_AFTER_SINCE, untilAfterSince } from '../common/instant';
import { EventTypeFilter } from '../common/event-type-filter';
import { requestSchema, responseSchema } from '../openapi/api-schemas';

const topics = SubscriptionTopic.options.join(', ');

/** `?topic=&outcome=&eventType=&since=&until=&limit=&cursor=` of the delivery list. */
export const DeliveryQuery = z
  .strictObject({
    topic: z
      .enum(SubscriptionTopic.options, { error: () => `must be one of ${topics}` })
      .optional()
      .describe('Only deliveries of this topic'),
    outcome: DeliveryOutcome.optional().describe('Only deliveries whose latest attempt ended so'),
    eventType: EventTypeFilter.optional().describe(
      'Only deliveries of events of this type, or of this family when it ends in .*',
    ),
    since: Instant.optional().describe('Only deliveries whose latest activity was at or after'),
    until: Instant.optional().describe('Only deliveries whose latest activity was before'),
    limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size (1–200)'),
    cursor: z.string().max(512).optional().describe('nextCursor of the previous page'),
  })
  .refine(untilAfterSince, UNTIL_AFTER_SINCE);
export type DeliveryQuery = z.output<typeof DeliveryQuery>;

export const RecoverRequest = requestSchema(
  'RecoverRequest',
  z.strictObject({
    since: Instant.describe(
      'Deliver again what failed since then (at most RECOVER_MAX_AGE_DAYS, 30 by default, ago)',
    ),
  }),
);
export type RecoverRequest = z.output<typeof RecoverRequest>;

export const DeliveryAttemptView = responseSchema(
  'DeliveryAttempt',
  z.object({
    id: z.string(),
    attempt: z.number().int(),
    attemptedAt: z.iso.datetime(),
    outcome: DeliveryOutcome,
    statusCode: z.number().int().nullable(),
    latencyMs: z.number(),
    error: z.string().nullable(),
    responseBody: z.string().nullable().describe('The first 4096 characters of the answer'),
    nextAttemptAt: z.iso.datetime().nullable(),
  }),
);
export type DeliveryAttemptView = z.infer<typeof DeliveryAttemptView>;

const DeliveryFields = {
  id: z.string().describe('Delivery id: one event to one subscription'),
  subscriptionId: z.string(),
  topic: SubscriptionTopic,
  eventId: z.string(),
  eventType: z.string(),
  outcome: DeliveryOutcome.describe('How the latest attempt ended'),
  attemptCount: z.number().int(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  firstAttemptAt: z.iso.datetime(),
  lastAttemptAt: z.iso.datetime(),
  nextAttemptAt: z.iso.datetime().nullable().describe('When the next retry is due, if any'),
};

export const Delivery = responseSchema('Delivery', z.object(DeliveryFields));
export type Delivery = z.infer<typeof Delivery>;

export const DeliveryList = responseSchema(
  'DeliveryList',
  z.object({
    items: z.array(Delivery),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as ?cursor= for the next page; null at the end'),
  }),
);
export type DeliveryList = z.infer<typeof DeliveryList>;

export const DeliveryDetail = responseSchema(
  'DeliveryDetail',
  z.object({ ...DeliveryFields, attempts: z.array(DeliveryAttemptView) }),
);
export type DeliveryDetail = z.infer<typeof DeliveryDetail>;

const HealthWindow = z.object({
  attempts: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int().describe('Attempts that did not succeed (failed or dead-lettered)'),
  successRate: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe('succeeded / attempts (0..1); null when there were no attempts'),
  p50LatencyMs: z.number().nullable().describe('Median attempt latency; null without attempts'),
  p95LatencyMs: z.number().nullable().describe('95th percentile attempt latency'),
});

export const WebhookHealth = responseSchema(
  'WebhookHealth',
  z.object({
    subscriptionId: z.string(),
    topic: SubscriptionTopic,
    state: SubscriptionState.describe(
      'disabled when the subscription is disabled; failing when it is marked failing or the ' +
        "delivery service's latest announcement says so; active otherwise",
    ),
    health: z
      .object({
        status: z.enum(['healthy', 'failing', 'disabled']),
        consecutiveFailures: z.number().int(),
        reason: z.string(),
        changedAt: z.iso.datetime(),
      })
      .nullable()
      .describe("The delivery service's last announcement; null when it made none"),
    last24h: z.object({
      succeeded: z.number().int(),
      failed: z.number().int(),
      deadLettered: z.number().int(),
    }),
    lastSuccessAt: z.iso.datetime().nullable(),
    lastFailureAt: z.iso.datetime().nullable(),
    windows: z
      .object({ '1h': HealthWindow, '24h': HealthWindow })
      .describe('Attempt figures over the last hour and the last 24 hours'),
    consecutiveFailures: z
      .number()
      .int()
      .describe(
        "Failed attempts since the last success; the delivery service's announced count when " +
          'its latest announcement is newer than the latest recorded attempt',
      ),
    lastError: z
      .object({
        at: z.iso.datetime(),
        statusCode: z.number().int().nullable(),
        error: z.string().nullable(),
      })
      .nullable()
      .describe('The latest attempt that did not succeed; null when none did'),
  }),
);
export type WebhookHealth = z.infer<typeof WebhookHealth>;

export const CommandAccepted = responseSchema(
  'CommandAccepted',
  z.object({
    commandId: z.string().describe('Id of the command sent to the delivery service'),
  }),
);
export type CommandAccepted = z.infer<typeof CommandAccepted>;

export const TestDeliveryResult = responseSchema(
  'TestDeliveryResult',
  z.object({
    requestId: z.string().describe('The id the test event carried (the attempt’s eventId)'),
    outcome: DeliveryOutcome.describe('How the attempt ended'),
    statusCode: z.number().int().nullable().describe("The endpoint's HTTP status, if it answered"),
    latencyMs: z.number(),
    error: z.string().nullable(),
    responseBody: z.string().nullable().describe('The first 4096 characters of the answer'),
    attemptedAt: z.iso.datetime(),
  }),
);
export type TestDeliveryResult = z.infer<typeof TestDeliveryResult>;
