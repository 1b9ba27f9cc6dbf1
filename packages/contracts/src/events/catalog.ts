import { z } from 'zod';

import { toContractIssues } from '../codec';
import type { ContractIssue, SubscriptionTopic } from '../common';
import { AccountAlertEvent, AccountQualityChangedEvent, AccountUpdatedEvent } from './account';
import {
  CallEvent,
  ChangeUnrecognizedEvent,
  FlowEvent,
  UserPreferencesChangedEvent,
} from './activity';
import {
  ErrorReportedEvent,
  MessageEchoedEvent,
  MessageReceivedEvent,
  MessageStatusUpdatedEvent,
} from './messages';
import {
  PlatformCampaignEvent,
  PlatformContactEvent,
  PlatformConversationEvent,
  PlatformFlowSessionEvent,
} from './platform';
import {
  TemplateCategoryChangedEvent,
  TemplateQualityChangedEvent,
  TemplateStatusChangedEvent,
} from './templates';
import { WebhookTestEvent } from './webhook-test';

/** The schema of every canonical event type (or family), by schema name. */
export const eventSchemas = Object.freeze({
  MessageReceivedEvent,
  MessageEchoedEvent,
  MessageStatusUpdatedEvent,
  ErrorReportedEvent,
  TemplateStatusChangedEvent,
  TemplateQualityChangedEvent,
  TemplateCategoryChangedEvent,
  AccountQualityChangedEvent,
  AccountUpdatedEvent,
  AccountAlertEvent,
  UserPreferencesChangedEvent,
  FlowEvent,
  CallEvent,
  ChangeUnrecognizedEvent,
  PlatformCampaignEvent,
  PlatformFlowSessionEvent,
  PlatformContactEvent,
  PlatformConversationEvent,
  WebhookTestEvent,
});
export type EventSchemaName = keyof typeof eventSchemas;

/** Any canonical event: a CloudEvent whose `type` the catalog knows and whose data fits it. */
export type CanonicalEvent = {
  [N in EventSchemaName]: z.infer<(typeof eventSchemas)[N]>;
}[EventSchemaName];
export type CanonicalEventType = CanonicalEvent['type'];

/**
 * The canonical event of one type: `CanonicalEventOf<'whatsapp.message.received'>` is a
 * MessageReceivedEvent, `CanonicalEventOf<'platform.campaign.started'>` a PlatformCampaignEvent.
 */
export type CanonicalEventOf<T extends string> = CanonicalEvent extends infer E
  ? E extends { type: infer K extends string }
    ? T extends K
      ? E
      : never
    : never
  : never;

/** The `data` of the canonical event of one type. */
export type EventDataOf<T extends string> = CanonicalEventOf<T>['data'];

/** One entry of the event catalog. */
export interface EventTypeDefinition {
  /** The type, or for a family the pattern of its types, e.g. `platform.campaign.*`. */
  readonly type: string;
  /** The subscription topic its events are published on (`switchboard.<topic>.v1`). */
  readonly topic: SubscriptionTopic;
  /** True for `webhook.test`, which Switchboard also sends on the topic of the subscription tested. */
  readonly anyTopic: boolean;
  /** For a family, the prefix of its types (`platform.campaign.`); null for a single type. */
  readonly familyPrefix: string | null;
  readonly schemaName: EventSchemaName;
  readonly schema: z.ZodType;
  readonly description: string;
}

function entry(
  type: string,
  topic: SubscriptionTopic,
  schemaName: EventSchemaName,
  description: string,
  options: { anyTopic?: boolean } = {},
): EventTypeDefinition {
  const familyPrefix = type.endsWith('.*') ? type.slice(0, -1) : null;
  return Object.freeze({
    type,
    topic,
    anyTopic: options.anyTopic ?? false,
    familyPrefix,
    schemaName,
    schema: eventSchemas[schemaName],
    description,
  });
}

/**
 * Every canonical event type, with the topic it is published on and its schema. Families
 * (`platform.<family>.*`) share one schema whose `type` is a pattern.
 */
export const EventCatalog: readonly EventTypeDefinition[] = Object.freeze([
  entry(
    'whatsapp.message.received',
    'messages',
    'MessageReceivedEvent',
    'A message a WhatsApp user sent to the business: every message type, with reply context, forwarding, ad referral and identity',
  ),
  entry(
    'whatsapp.message.echoed',
    'messages',
    'MessageEchoedEvent',
    'A message the business sent from the WhatsApp Business app (smb_message_echoes)',
  ),
  entry(
    'whatsapp.message.status_updated',
    'delivery_status',
    'MessageStatusUpdatedEvent',
    'A sent message was sent, delivered, read, played, failed or deleted; with conversation, pricing and errors',
  ),
  entry(
    'whatsapp.error.reported',
    'messages',
    'ErrorReportedEvent',
    'An error reported outside any message or status (change-level errors[], On-Premises {errors})',
  ),
  entry(
    'whatsapp.template.status_changed',
    'templates',
    'TemplateStatusChangedEvent',
    'A message template was submitted, approved, rejected, paused, disabled, ... (message_template_status_update)',
  ),
  entry(
    'whatsapp.template.quality_changed',
    'templates',
    'TemplateQualityChangedEvent',
    "A message template's quality score changed (message_template_quality_update)",
  ),
  entry(
    'whatsapp.template.category_changed',
    'templates',
    'TemplateCategoryChangedEvent',
    "A message template's category changed (template_category_update)",
  ),
  entry(
    'whatsapp.account.quality_changed',
    'account',
    'AccountQualityChangedEvent',
    "A phone number's quality rating or messaging limit changed (phone_number_quality_update; CubeConnect account.quality_event)",
  ),
  entry(
    'whatsapp.account.updated',
    'account',
    'AccountUpdatedEvent',
    'account_update, account_review_update, business_capability_update, phone_number_name_update or security, named by `change`',
  ),
  entry(
    'whatsapp.account.alert',
    'account',
    'AccountAlertEvent',
    'Meta raised an alert about the account (account_alerts)',
  ),
  entry(
    'whatsapp.user.preferences_changed',
    'users',
    'UserPreferencesChangedEvent',
    'A user stopped or resumed marketing messages (user_preferences)',
  ),
  entry(
    'whatsapp.flow.event',
    'flows',
    'FlowEvent',
    'A WhatsApp Flow changed status or raised an endpoint alert (flows)',
  ),
  entry(
    'whatsapp.call.event',
    'calls',
    'CallEvent',
    'A WhatsApp call connected, ended or changed status (calls)',
  ),
  entry(
    'whatsapp.change.unrecognized',
    'account',
    'ChangeUnrecognizedEvent',
    'A change field or provider event Switchboard does not model, carried whole',
  ),
  entry(
    'platform.campaign.*',
    'platform',
    'PlatformCampaignEvent',
    'A platform campaign was created, started, completed, ...',
  ),
  entry(
    'platform.flow_session.*',
    'platform',
    'PlatformFlowSessionEvent',
    'A platform chatbot or automation session started, completed, was cancelled, ...',
  ),
  entry(
    'platform.contact.*',
    'platform',
    'PlatformContactEvent',
    'A platform contact was created, updated, ...',
  ),
  entry(
    'platform.conversation.*',
    'platform',
    'PlatformConversationEvent',
    'A platform conversation was opened, closed, assigned, unassigned, ...',
  ),
  entry(
    'webhook.test',
    'platform',
    'WebhookTestEvent',
    "A connection test; a provider's goes to platform, Switchboard's to the topic of the subscription tested",
    { anyTopic: true },
  ),
]);

const byType = new Map(
  EventCatalog.filter((d) => d.familyPrefix === null).map((d) => [d.type, d] as const),
);
const byFamily = new Map(
  EventCatalog.filter((d) => d.familyPrefix !== null).map((d) => [d.familyPrefix, d] as const),
);

/** The catalog entry of an event type (a family's entry for `platform.<family>.<event>`). */
export function eventTypeDefinition(type: string): EventTypeDefinition | undefined {
  const exact = byType.get(type);
  if (exact) return exact;
  const lastDot = type.lastIndexOf('.');
  return lastDot > 0 ? byFamily.get(type.slice(0, lastDot + 1)) : undefined;
}

/** The subscription topic of an event type, if the catalog knows the type. */
export function eventTopicOf(type: string): SubscriptionTopic | undefined {
  return eventTypeDefinition(type)?.topic;
}

export type CanonicalEventValidation =
  | { readonly ok: true; readonly event: CanonicalEvent }
  | { readonly ok: false; readonly message: string; readonly issues: readonly ContractIssue[] };

function typeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as { type?: unknown }).type
    : undefined;
}

/**
 * Validates a canonical event against the schema its `type` names (one lookup, not a parse
 * against every type). Never throws.
 */
export function validateCanonicalEvent(value: unknown): CanonicalEventValidation {
  const type = typeOf(value);
  const definition = typeof type === 'string' ? eventTypeDefinition(type) : undefined;
  if (definition === undefined) {
    return {
      ok: false,
      message: `Unknown canonical event type: ${JSON.stringify(type) ?? 'undefined'}`,
      issues: [{ path: ['type'], message: 'Not a type in the event catalog', code: 'custom' }],
    };
  }
  try {
    const parsed = definition.schema.safeParse(value);
    if (parsed.success) return { ok: true, event: parsed.data as CanonicalEvent };
    const issues = toContractIssues(parsed.error.issues);
    return {
      ok: false,
      message: `${String(type)} violates ${definition.schemaName}: ${issues.length} issue(s)`,
      issues,
    };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err), issues: [] };
  }
}

/**
 * A zod schema for any canonical event: looks the type up in the catalog and validates against
 * that type's schema. Use it where a zod schema is needed; {@link validateCanonicalEvent} where a
 * result is.
 */
export const CanonicalEvent: z.ZodType<CanonicalEvent, unknown> = z
  .unknown()
  .transform((value, ctx) => {
    const result = validateCanonicalEvent(value);
    if (result.ok) return result.event;
    for (const issue of result.issues) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    if (result.issues.length === 0) ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  });
