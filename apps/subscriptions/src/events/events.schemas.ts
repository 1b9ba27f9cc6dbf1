import { CloudEvent, SubscriptionTopic } from '@switchboard/contracts';
import { z } from 'zod';
import { EventTypeFilter } from '../common/event-type-filter';
import { Instant, UNTIL_AFTER_SINCE, untilAfterSince } from '../common/instant';
import { responseSchema } from '../openapi/api-schemas';

const topics = SubscriptionTopic.options.join(', ');

/** A WhatsApp user's phone number as providers send it (wa_id): digits, an optional `+`. */
const Phone = z
  .string()
  .regex(/^\+?[0-9]{5,20}$/, 'must be a phone number: 5 to 20 digits, an optional leading +')
  .transform((phone) => phone.replace(/^\+/, ''));

/** `?topic=&type=&messageId=&eventId=&phone=&q=&since=&until=&limit=&cursor=` of the event log. */
export const EventQuery = z
  .strictObject({
    topic: z
      .enum(SubscriptionTopic.options, { error: () => `must be one of ${topics}` })
      .optional()
      .describe('Only events of this topic'),
    type: EventTypeFilter.optional().describe(
      'Only events of this type, or of this family when it ends in .*',
    ),
    messageId: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe("Only events about this provider message id (e.g. Meta's wamid)"),
    eventId: z
      .uuid({ error: 'must be an event id (a UUID)' })
      .optional()
      .describe('Only this event'),
    phone: Phone.optional().describe(
      "Only events about this WhatsApp user: a received message's sender (or wa_id), an echoed " +
        "message's recipient, a status's recipient",
    ),
    q: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('Search: events whose id, message id (wamid) or phone number is this, exactly'),
    since: Instant.optional().describe('Events that happened at or after'),
    until: Instant.optional().describe('Events that happened before'),
    limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size (1–200)'),
    cursor: z.string().max(512).optional().describe('nextCursor of the previous page'),
  })
  .refine(untilAfterSince, UNTIL_AFTER_SINCE);
export type EventQuery = z.output<typeof EventQuery>;

/** What `q` may also be: an event id, a phone number. */
export function searchTerms(q: string): {
  text: string;
  eventId: string | null;
  phone: string | null;
} {
  const phone = Phone.safeParse(q);
  return {
    text: q,
    eventId: z.uuid().safeParse(q).success ? q : null,
    phone: phone.success ? phone.data : null,
  };
}

export const EventList = responseSchema(
  'EventList',
  z.object({
    items: z.array(CloudEvent).describe('Canonical events as published, newest first'),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as ?cursor= for the next page; null at the end'),
  }),
);
export type EventList = z.infer<typeof EventList>;

/** The most events the raw webhook view lists beside the body. */
export const RAW_WEBHOOK_EVENTS_MAX = 1_000;

export const RawWebhookView = responseSchema(
  'RawWebhook',
  z.object({
    id: z.string().describe("The raw webhook's id: every event it became carries it as rawid"),
    sourceId: z.string(),
    provider: z.string(),
    environment: z.string(),
    receivedAt: z.iso.datetime(),
    contentType: z.string().describe('The Content-Type header as received'),
    bodyEncoding: z
      .enum(['utf8', 'base64'])
      .describe('utf8: the body is UTF-8 JSON, given as received; base64 otherwise'),
    body: z.string().describe('The body exactly as received'),
    outcome: z
      .string()
      .describe('What the normalizer made of it first: normalized, partial or dead_lettered'),
    events: z
      .array(CloudEvent)
      .describe(
        `The canonical events this webhook introduced, in the order they happened (at most ${RAW_WEBHOOK_EVENTS_MAX})`,
      ),
  }),
);
export type RawWebhookView = z.infer<typeof RawWebhookView>;
