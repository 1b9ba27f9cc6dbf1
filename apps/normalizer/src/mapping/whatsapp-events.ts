import { type JsonRecord, field, firstId, isRecord, list } from './json';
import type { DraftData, MappingContext } from './mapping-context';
import {
  type Business,
  contactFor,
  conversationSubject,
  errorOf,
  messageParts,
  statusData,
} from './whatsapp';

/**
 * Emitting the events of WhatsApp updates (messages, statuses, errors, unrecognized changes),
 * shared by the Cloud API and On-Premises mappers.
 */

/** One change: a Cloud API `changes[]` item, or a whole On-Premises body. */
export interface Change {
  /** The change field, e.g. `messages`; On-Premises bodies are `messages` too. */
  readonly field: string;
  readonly value: unknown;
  readonly wabaId: string | null;
  /** `entry.time` where Meta sends it (management fields). */
  readonly entryTime: string | null;
  /** Where the change is in the body. */
  readonly at: (string | number)[];
}

/** Carries a change whole: the field name and the value exactly as sent (or `value`). */
export function emitUnrecognized(
  ctx: MappingContext,
  change: Change,
  reason?: string,
  value?: unknown,
): void {
  const data: DraftData<'whatsapp.change.unrecognized'> = {
    field: change.field,
    value: (value === undefined ? change.value : value) ?? null,
    wabaId: change.wabaId,
  };
  if (reason !== undefined) data.reason = reason;
  ctx.emit({
    type: 'whatsapp.change.unrecognized',
    data,
    time: change.entryTime,
    subject: change.wabaId,
    sourceKey: change.wabaId,
    naturalKey: null,
    at: change.at,
  });
}

/**
 * The objects of an array field of a change value, with their paths; an item that is not an object
 * is set aside as an item failure, the others are still given.
 */
export function objectsOf(
  ctx: MappingContext,
  value: JsonRecord,
  key: string,
  at: readonly (string | number)[],
): { item: JsonRecord; at: (string | number)[] }[] {
  const objects: { item: JsonRecord; at: (string | number)[] }[] = [];
  list(field(value, key)).forEach((item, k) => {
    const itemAt = [...at, key, k];
    if (isRecord(item)) objects.push({ item, at: itemAt });
    else ctx.reject(itemAt, 'Expected an object');
  });
  return objects;
}

/** A message a user sent: `whatsapp.message.received`, keyed by its message id. */
export function emitReceived(
  ctx: MappingContext,
  change: Change,
  business: Business,
  contacts: readonly unknown[],
  item: JsonRecord,
  at: (string | number)[],
  extra: { raw?: JsonRecord; campaignName?: string | null } = {},
): void {
  const parts = messageParts(item, business);
  const contact = contactFor(
    contacts,
    parts.from,
    firstId(item, 'from_user_id', 'user_id'),
    firstId(item, 'from_parent_user_id', 'parent_user_id'),
  );
  ctx.emit({
    type: 'whatsapp.message.received',
    data: {
      messageId: parts.messageId,
      from: parts.from,
      contact,
      ...parts.fields,
      ...(extra.campaignName != null ? { campaignName: extra.campaignName } : {}),
      raw: extra.raw ?? item,
    },
    time: parts.timestamp,
    subject: conversationSubject(
      business.phoneNumberId,
      ctx.sourceId,
      parts.from ?? contact.waId ?? contact.userId,
    ),
    sourceKey: change.wabaId,
    naturalKey: parts.messageId,
    at,
  });
}

/**
 * A status of a sent message: `whatsapp.message.status_updated` on delivery_status, keyed by
 * message id + status. A status word Switchboard does not know is `unknown`, keyed by the word as
 * sent. `raw` is the provider object to keep as `data.raw` (the status object by default).
 */
export function emitStatus(
  ctx: MappingContext,
  change: Change,
  business: Business,
  item: JsonRecord,
  at: (string | number)[],
  extra: { raw?: JsonRecord; campaignName?: string | null } = {},
): void {
  const status = statusData(item, business);
  const recipient = status.data.recipientId ?? status.data.recipientUserId ?? null;
  const data: DraftData<'whatsapp.message.status_updated'> = {
    ...status.data,
    raw: extra.raw ?? item,
  };
  if (extra.campaignName != null) data.campaignName = extra.campaignName;
  const key = status.status === 'unknown' ? status.data.providerStatus : status.status;
  ctx.emit({
    type: 'whatsapp.message.status_updated',
    data,
    time: typeof status.data.timestamp === 'string' ? status.data.timestamp : null,
    subject: conversationSubject(
      business.phoneNumberId,
      ctx.sourceId,
      typeof recipient === 'string' ? recipient : null,
    ),
    sourceKey: change.wabaId,
    naturalKey: status.messageId === null ? null : `${status.messageId}|${String(key)}`,
    at,
  });
}

/** An error outside any message or status: `whatsapp.error.reported`. */
export function emitError(
  ctx: MappingContext,
  change: Change,
  business: Business,
  error: unknown,
  at: (string | number)[],
): void {
  ctx.emit({
    type: 'whatsapp.error.reported',
    data: { error: errorOf(error), business, ...(isRecord(error) ? { raw: error } : {}) },
    time: change.entryTime,
    subject: business.phoneNumberId ?? change.wabaId ?? ctx.sourceId,
    sourceKey: change.wabaId,
    naturalKey: null,
    at,
  });
}

/** The messages, statuses and errors of a `messages` value (Cloud API) or body (On-Premises). */
export function emitUpdates(
  ctx: MappingContext,
  change: Change,
  value: JsonRecord,
  business: Business,
): void {
  const contacts = list(field(value, 'contacts'));
  for (const { item, at } of objectsOf(ctx, value, 'messages', change.at)) {
    emitReceived(ctx, change, business, contacts, item, at);
  }
  for (const { item, at } of objectsOf(ctx, value, 'statuses', change.at)) {
    emitStatus(ctx, change, business, item, at);
  }
  for (const [k, error] of list(field(value, 'errors')).entries()) {
    emitError(ctx, change, business, error, [...change.at, 'errors', k]);
  }
}
