import { z } from 'zod';

import { canonicalEventOf } from './define';
import { EventBusiness, EventContact, JsonObject, OptionalText, UtcDateTime } from './shared';

const raw = JsonObject.describe('The provider object exactly as sent');

export const UserPreferencesChangedData = z.object({
  contact: EventContact,
  business: EventBusiness,
  category: OptionalText.describe('e.g. marketing_messages'),
  preference: z.string().min(1).describe('The new value: stop or resume (open)'),
  detail: OptionalText,
  timestamp: UtcDateTime.nullable(),
  raw,
});
export type UserPreferencesChangedData = z.infer<typeof UserPreferencesChangedData>;

/** A user stopped or resumed marketing messages (user_preferences). */
export const UserPreferencesChangedEvent = canonicalEventOf(
  'whatsapp.user.preferences_changed',
  'users',
  UserPreferencesChangedData,
  {
    title: 'UserPreferencesChangedEvent',
    description: 'whatsapp.user.preferences_changed: a user stopped or resumed marketing messages',
  },
);
export type UserPreferencesChangedEvent = z.infer<typeof UserPreferencesChangedEvent>;

export const FlowEventData = z.object({
  event: OptionalText.describe('FLOW_STATUS_CHANGE, ENDPOINT_ERROR_RATE, ... (open)'),
  flowId: OptionalText,
  message: OptionalText,
  oldStatus: OptionalText,
  newStatus: OptionalText,
  wabaId: OptionalText,
  raw,
});
export type FlowEventData = z.infer<typeof FlowEventData>;

/** Something happened to a WhatsApp Flow: a status change or an endpoint alert (flows). */
export const FlowEvent = canonicalEventOf('whatsapp.flow.event', 'flows', FlowEventData, {
  title: 'FlowEvent',
  description: 'whatsapp.flow.event: a WhatsApp Flow changed status or raised an alert',
});
export type FlowEvent = z.infer<typeof FlowEvent>;

export const CallEventData = z.object({
  callId: OptionalText,
  event: OptionalText.describe('connect, terminate, or the status of a call status update'),
  status: OptionalText,
  direction: OptionalText.describe('USER_INITIATED or BUSINESS_INITIATED'),
  from: OptionalText,
  to: OptionalText,
  timestamp: UtcDateTime.nullable(),
  startTime: UtcDateTime.nullable(),
  endTime: UtcDateTime.nullable(),
  durationSeconds: z.number().nullable(),
  contact: EventContact,
  business: EventBusiness,
  raw,
});
export type CallEventData = z.infer<typeof CallEventData>;

/** A WhatsApp call connected, ended or changed status (calls). */
export const CallEvent = canonicalEventOf('whatsapp.call.event', 'calls', CallEventData, {
  title: 'CallEvent',
  description: 'whatsapp.call.event: a WhatsApp call connected, ended or changed status',
});
export type CallEvent = z.infer<typeof CallEvent>;

export const ChangeUnrecognizedData = z.object({
  field: z
    .string()
    .min(1)
    .describe('The change field (or provider event name) Switchboard does not model'),
  value: z.unknown().describe('The value exactly as sent: nothing is dropped'),
  wabaId: OptionalText,
  reason: z.string().optional().describe('Why it was not mapped, when it was a known field'),
});
export type ChangeUnrecognizedData = z.infer<typeof ChangeUnrecognizedData>;

/** A change (or provider event) Switchboard does not model yet, carried whole. */
export const ChangeUnrecognizedEvent = canonicalEventOf(
  'whatsapp.change.unrecognized',
  'account',
  ChangeUnrecognizedData,
  {
    title: 'ChangeUnrecognizedEvent',
    description:
      'whatsapp.change.unrecognized: a change Switchboard does not model, with its raw value',
  },
);
export type ChangeUnrecognizedEvent = z.infer<typeof ChangeUnrecognizedEvent>;
