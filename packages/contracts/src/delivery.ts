import { z } from 'zod';

import { Id, IsoDateTime, SubscriptionTopic } from './common';

/** Subscriber response bodies are kept up to this many characters. */
export const RESPONSE_BODY_MAX_CHARS = 4096;

/** Cuts a subscriber's response body to what a delivery attempt keeps. */
export function truncateResponseBody(body: string): string {
  return body.length <= RESPONSE_BODY_MAX_CHARS ? body : body.slice(0, RESPONSE_BODY_MAX_CHARS);
}

/**
 * How an attempt ended. `suppressed`: not sent, because the subscription keeps message statuses
 * monotonic and a later status of the same message was already delivered (`error` says which).
 */
export const DeliveryOutcome = z.enum(['succeeded', 'failed', 'dead_lettered', 'suppressed']);
export type DeliveryOutcome = z.infer<typeof DeliveryOutcome>;

/**
 * One HTTP attempt to deliver one event to one subscription. A failed attempt with
 * `nextAttemptAt` will be retried; `dead_lettered` means the schedule ran out, or (ordered
 * subscriptions) its conversation was blocked too long, the reason in `error`. A `suppressed`
 * record, and a `dead_lettered` one with `statusCode` null and `latencyMs` 0, made no request.
 */
export const DeliveryAttempt = z
  .object({
    id: z.uuid(),
    deliveryId: Id.describe('Shared by every attempt to deliver one event to one subscription'),
    eventId: Id,
    eventType: z.string().min(1),
    businessId: Id,
    subscriptionId: Id,
    topic: SubscriptionTopic,
    attempt: z.number().int().min(1),
    attemptedAt: IsoDateTime,
    outcome: DeliveryOutcome,
    statusCode: z
      .number()
      .int()
      .min(100)
      .max(599)
      .nullable()
      .describe('Null when no response came (timeout, connection error)'),
    latencyMs: z.number().nonnegative(),
    error: z.string().nullable(),
    responseBody: z.string().max(RESPONSE_BODY_MAX_CHARS).nullable(),
    nextAttemptAt: IsoDateTime.nullable(),
  })
  .meta({
    title: 'DeliveryAttempt',
    description: 'One outbound webhook attempt, on switchboard.delivery.attempts.v1',
  });
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

const CommandBase = z.object({
  id: z.uuid(),
  businessId: Id,
  issuedAt: IsoDateTime,
});

/** Retry one delivery now, whatever its state. */
export const RetryDeliveryCommand = CommandBase.extend({
  type: z.literal('retry'),
  deliveryId: Id,
});
export type RetryDeliveryCommand = z.infer<typeof RetryDeliveryCommand>;

/** Deliver again every event of a subscription's topic that failed since a point in time. */
export const RecoverDeliveriesCommand = CommandBase.extend({
  type: z.literal('recover'),
  subscriptionId: Id,
  topic: SubscriptionTopic,
  since: IsoDateTime,
});
export type RecoverDeliveriesCommand = z.infer<typeof RecoverDeliveriesCommand>;

/** Send a `webhook.test` event to a subscription's endpoint. */
export const TestDeliveryCommand = CommandBase.extend({
  type: z.literal('test'),
  subscriptionId: Id,
  topic: SubscriptionTopic,
  requestId: Id.describe('Correlates the test attempt with the admin request that asked for it'),
});
export type TestDeliveryCommand = z.infer<typeof TestDeliveryCommand>;

/** An operator's instruction to the delivery service. */
export const DeliveryCommand = z
  .discriminatedUnion('type', [RetryDeliveryCommand, RecoverDeliveriesCommand, TestDeliveryCommand])
  .meta({
    title: 'DeliveryCommand',
    description: 'An instruction to the delivery service, on switchboard.delivery.commands.v1',
  });
export type DeliveryCommand = z.infer<typeof DeliveryCommand>;

export const SubscriptionHealthEventType = z.enum([
  'subscription.failing',
  'subscription.disabled',
  'subscription.recovered',
]);
export type SubscriptionHealthEventType = z.infer<typeof SubscriptionHealthEventType>;

/** A change in an endpoint's health, announced by the delivery service. */
export const SubscriptionHealthEvent = z
  .object({
    id: z.uuid(),
    type: SubscriptionHealthEventType,
    businessId: Id,
    subscriptionId: Id,
    topic: SubscriptionTopic,
    occurredAt: IsoDateTime,
    reason: z.string().describe('e.g. "12 consecutive failures", "410 Gone"'),
    consecutiveFailures: z.number().int().nonnegative(),
  })
  .meta({
    title: 'SubscriptionHealthEvent',
    description: "An endpoint's health changed, on switchboard.subscriptions.events.v1",
  });
export type SubscriptionHealthEvent = z.infer<typeof SubscriptionHealthEvent>;
