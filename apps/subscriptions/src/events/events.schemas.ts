import { CloudEvent, SubscriptionTopic } from '@switchboard/contracts';
import { z } from 'zod';
import { Instant } from '../common/instant';
import { responseSchema } from '../openapi/api-schemas';

const topics = SubscriptionTopic.options.join(', ');

/** `?topic=&type=&since=&until=&limit=&cursor=` of the inbound event log. */
export const EventQuery = z.strictObject({
  topic: z
    .enum(SubscriptionTopic.options, { error: () => `must be one of ${topics}` })
    .optional()
    .describe('Only events of this topic'),
  type: z
    .string()
    .max(128)
    .regex(
      /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$/,
      'must be an event type such as "whatsapp.message.received" or a family such as "platform.campaign.*"',
    )
    .optional()
    .describe('Only events of this type, or of this family when it ends in .*'),
  messageId: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe("Only events about this provider message id (e.g. Meta's wamid)"),
  since: Instant.optional().describe('Events that happened at or after'),
  until: Instant.optional().describe('Events that happened before'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size (1–200)'),
  cursor: z.string().max(512).optional().describe('nextCursor of the previous page'),
});
export type EventQuery = z.output<typeof EventQuery>;

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
