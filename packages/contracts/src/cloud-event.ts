import { z } from 'zod';

import { Environment, Id, IsoDateTime, Provider, SubscriptionTopic } from './common';

/** Who produced an event: a provider family, or Switchboard itself (e.g. `webhook.test`). */
export const EventProvider = z.union([Provider, z.literal('switchboard')]);
export type EventProvider = z.infer<typeof EventProvider>;

/** JSON object data carried by an event. */
export const EventData = z.record(z.string(), z.unknown());
export type EventData = z.infer<typeof EventData>;

/**
 * A canonical event: CloudEvents 1.0 in structured mode, the body of every public topic record
 * and every outbound webhook. Unknown attributes pass through, so newer producers can add
 * extensions without breaking older consumers.
 */
export const CloudEvent = z
  .looseObject({
    specversion: z.literal('1.0'),
    id: Id.describe('Deterministic: derived from the natural key, so redeliveries share it'),
    source: z.string().min(1).describe('e.g. switchboard/meta/<waba id>'),
    type: z.string().min(1).describe('e.g. whatsapp.message.received'),
    time: IsoDateTime.describe('When it happened at the provider'),
    subject: z
      .string()
      .min(1)
      .optional()
      .describe('<phone_number_id>:<contact> for conversations, else the entity id'),
    datacontenttype: z.literal('application/json'),
    businessid: Id,
    topic: SubscriptionTopic,
    environment: Environment,
    provider: EventProvider,
    rawid: z
      .string()
      .min(1)
      .optional()
      .describe('The raw inbound record the event came from; absent for events Switchboard made'),
    channel: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe(
        'The messaging channel the provider reported, lowercase (Connectly channelType: whatsapp, ' +
          'sms, ...); absent means whatsapp',
      ),
    data: EventData,
  })
  .meta({
    title: 'CloudEvent',
    description: 'A canonical event (CloudEvents 1.0, structured mode) on switchboard.<topic>.v1',
  });
export type CloudEvent = z.infer<typeof CloudEvent>;

/** The context attribute names CloudEvent defines, CloudEvents' own and Switchboard's extensions. */
export const cloudEventAttributeNames = Object.freeze(
  Object.keys(CloudEvent.shape).filter((name) => name !== 'data'),
);

/** The extension attributes Switchboard adds to every event. */
export const cloudEventExtensionNames = Object.freeze([
  'businessid',
  'topic',
  'environment',
  'provider',
  'rawid',
  'channel',
] as const);

/**
 * A CloudEvent schema for one event type: `type` fixed to the given literal and `data` typed,
 * e.g. `cloudEventOf('whatsapp.message.received', MessageReceivedData)`.
 */
export function cloudEventOf<const T extends string, D extends z.ZodType<Record<string, unknown>>>(
  type: T,
  data: D,
) {
  return CloudEvent.extend({ type: z.literal(type), data });
}

/** One event name inside a family: lowercase letters, digits and underscores. */
export const EventName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'Expected a snake_case event name');

/**
 * A CloudEvent schema for a family of event types sharing one data shape: `type` is the prefix
 * followed by one event name in snake case, e.g. `cloudEventFamilyOf('platform.campaign', Data)`
 * accepts `platform.campaign.started` and `platform.campaign.completed`.
 */
export function cloudEventFamilyOf<
  const P extends string,
  D extends z.ZodType<Record<string, unknown>>,
>(prefix: P, data: D) {
  return CloudEvent.extend({
    type: z.templateLiteral([`${prefix}.`, EventName]),
    data,
  });
}

/** The partition key and `subject` of a conversation: business phone number id and contact. */
export function conversationKey(phoneNumberId: string, contact: string): string {
  return `${phoneNumberId}:${contact}`;
}
