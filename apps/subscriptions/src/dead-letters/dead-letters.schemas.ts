import { DeadLetterReasonCode, Provider, SubscriptionTopic } from '@switchboard/contracts';
import { z } from 'zod';
import { Instant, UNTIL_AFTER_SINCE, untilAfterSince } from '../common/instant';
import { requestSchema, responseSchema } from '../openapi/api-schemas';

/** The most raw webhooks one replay call may send to the normalizer. */
export const REPLAY_MAX_RAW_WEBHOOKS = 1_000;

const topics = SubscriptionTopic.options.join(', ');
const paging = {
  since: Instant.optional().describe('Dead-lettered at or after'),
  until: Instant.optional().describe('Dead-lettered before'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size (1–200)'),
  cursor: z.string().max(512).optional().describe('nextCursor of the previous page'),
};
const nextCursor = z
  .string()
  .nullable()
  .describe('Pass as ?cursor= for the next page; null at the end');

/** What both kinds of dead letter name alike: why, and when it was dead-lettered. */
const Reason = z.object({
  code: z.string().describe('Inbound: the normalizer reason code; outbound: delivery_failed'),
  message: z.string(),
});
const common = {
  id: z.string(),
  reason: Reason,
  failedAt: z.iso.datetime().describe('When it was dead-lettered'),
};

export const InboundDeadLetterQuery = z
  .strictObject({
    ...paging,
    provider: z
      .enum(Provider.options, { error: () => `must be one of ${Provider.options.join(', ')}` })
      .optional()
      .describe('Only dead letters of webhooks from this provider'),
    reason: z
      .enum(DeadLetterReasonCode.options, {
        error: () => `must be one of ${DeadLetterReasonCode.options.join(', ')}`,
      })
      .optional()
      .describe('Only dead letters with this reason code'),
  })
  .refine(untilAfterSince, UNTIL_AFTER_SINCE);
export type InboundDeadLetterQuery = z.output<typeof InboundDeadLetterQuery>;

export const LastReplay = z.object({
  requestId: z.string().describe('The replay request (the 202 answer’s requestId)'),
  outcome: z
    .enum(['published', 'partial', 'dead_lettered'])
    .describe('published: every item became events; partial: some dead-lettered again'),
  eventsProduced: z.number().int().describe('Events the current mappers made of the webhook'),
  eventsPublished: z.number().int().describe('Of them, new to the log and so published'),
  deadLetters: z.number().int().describe('Dead letters the replay gave'),
  replayedAt: z.iso.datetime(),
});

const inboundFields = {
  ...common,
  id: z.string().describe('The dead letter id'),
  provider: Provider,
  sourceId: z.string(),
  rawWebhookId: z.string().describe('The raw webhook (rawid of any event it became)'),
  receivedAt: z.iso.datetime().describe('When ingress received the webhook'),
  pointer: z
    .string()
    .nullable()
    .describe('JSON Pointer of the one item that failed; null when the whole webhook did'),
  replayState: z.enum(['never_replayed', 'replayed']),
  lastReplay: LastReplay.nullable().describe("The raw webhook's latest replay, from the audit log"),
};

export const InboundDeadLetter = responseSchema('InboundDeadLetter', z.object(inboundFields));
export type InboundDeadLetter = z.infer<typeof InboundDeadLetter>;

export const InboundDeadLetterList = responseSchema(
  'InboundDeadLetterList',
  z.object({ items: z.array(InboundDeadLetter), nextCursor }),
);
export type InboundDeadLetterList = z.infer<typeof InboundDeadLetterList>;

export const InboundDeadLetterDetail = responseSchema(
  'InboundDeadLetterDetail',
  z.object({
    ...inboundFields,
    issues: z.array(
      z.object({
        path: z.array(z.union([z.string(), z.number()])),
        message: z.string(),
        code: z.string(),
      }),
    ),
    item: z
      .unknown()
      .describe('The failing item as the provider sent it; null for a whole webhook'),
    contentType: z.string(),
    bodyEncoding: z
      .enum(['utf8', 'base64'])
      .describe('utf8: the body is UTF-8 JSON, given as received; base64 otherwise'),
    body: z.string().describe('The raw webhook body exactly as received'),
  }),
);
export type InboundDeadLetterDetail = z.infer<typeof InboundDeadLetterDetail>;

export const ReplayRangeRequest = requestSchema(
  'ReplayInboundDeadLettersRequest',
  z.strictObject({
    since: Instant.describe('Replay what was dead-lettered at or after'),
    until: Instant.describe('and before'),
  }),
);
export type ReplayRangeRequest = z.output<typeof ReplayRangeRequest>;

export const ReplayAccepted = responseSchema(
  'ReplayAccepted',
  z.object({
    requestId: z.string().describe('Each replayed dead letter’s lastReplay carries it when done'),
    rawWebhooks: z.number().int().describe('Raw webhooks sent to the normalizer to replay'),
  }),
);
export type ReplayAccepted = z.infer<typeof ReplayAccepted>;

export const OutboundDeadLetterQuery = z
  .strictObject({
    ...paging,
    topic: z
      .enum(SubscriptionTopic.options, { error: () => `must be one of ${topics}` })
      .optional()
      .describe('Only deliveries of this topic'),
  })
  .refine(untilAfterSince, UNTIL_AFTER_SINCE);
export type OutboundDeadLetterQuery = z.output<typeof OutboundDeadLetterQuery>;

export const OutboundDeadLetter = responseSchema(
  'OutboundDeadLetter',
  z.object({
    ...common,
    id: z.string().describe('The delivery id (GET …/deliveries/{id} has every attempt)'),
    subscriptionId: z.string(),
    topic: SubscriptionTopic,
    eventId: z.string(),
    eventType: z.string(),
    attemptCount: z.number().int(),
    statusCode: z.number().int().nullable().describe("The endpoint's last HTTP status, if any"),
    firstAttemptAt: z.iso.datetime(),
  }),
);
export type OutboundDeadLetter = z.infer<typeof OutboundDeadLetter>;

export const OutboundDeadLetterList = responseSchema(
  'OutboundDeadLetterList',
  z.object({ items: z.array(OutboundDeadLetter), nextCursor }),
);
export type OutboundDeadLetterList = z.infer<typeof OutboundDeadLetterList>;
