import { type JsonRecord, field, firstId, firstStr, record } from './json';
import type { DraftData, MappingContext } from './mapping-context';

/**
 * Platform events (CubeConnect, Cunnekt via Standard Webhooks): `platform.<family>.<event>` with
 * a few normalized fields and the provider's fields kept as `payload`.
 */
export type PlatformFamily = 'campaign' | 'flow_session' | 'contact' | 'conversation';

/** A provider event name as one snake_case segment (`Session Started` → `session_started`). */
export function eventSegment(name: string): string | null {
  const segment = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '');
  return segment.length > 0 ? segment : null;
}

function nestedId(payload: JsonRecord, object: string, ...keys: string[]): string | null {
  return firstId(record(field(payload, object)), ...keys);
}

function nestedStr(payload: JsonRecord, object: string, ...keys: string[]): string | null {
  return firstStr(record(field(payload, object)), ...keys);
}

const phoneKeys = [
  'contact_phone',
  'contactPhone',
  'phone',
  'phone_number',
  'wa_id',
  'customer_phone',
];

function contactPhone(payload: JsonRecord): string | null {
  return (
    firstId(payload, ...phoneKeys) ?? nestedId(payload, 'contact', 'phone', 'phone_number', 'wa_id')
  );
}

function contactId(payload: JsonRecord): string | null {
  return firstId(payload, 'contact_id', 'contactId') ?? nestedId(payload, 'contact', 'id');
}

/** The normalized fields of a family's events: their data but for the event name and payload. */
type FamilyFields = {
  [F in PlatformFamily]: Omit<DraftData<`platform.${F}.${string}`>, 'event' | 'payload' | 'raw'>;
}[PlatformFamily];

/** The normalized fields of a family and the entity id its events are keyed by. */
function familyFields(
  family: PlatformFamily,
  payload: JsonRecord,
  /** Whether `id` names the entity (a `data` object), not the delivery (a flat body). */
  idIsEntity: boolean,
): { fields: FamilyFields; entity: string | null } {
  const ownId = idIsEntity ? firstId(payload, 'id') : null;
  switch (family) {
    case 'campaign': {
      const campaignId =
        firstId(payload, 'campaign_id', 'campaignId') ??
        nestedId(payload, 'campaign', 'id') ??
        ownId;
      return {
        fields: {
          campaignId,
          campaignName:
            firstStr(payload, 'campaign_name', 'campaignName') ??
            nestedStr(payload, 'campaign', 'name') ??
            (idIsEntity ? firstStr(payload, 'name') : null),
        },
        entity: campaignId,
      };
    }
    case 'flow_session': {
      const sessionId = firstId(payload, 'session_id', 'sessionId') ?? ownId;
      const phone = contactPhone(payload);
      return {
        fields: {
          sessionId,
          flowId: firstId(payload, 'flow_id', 'flowId') ?? nestedId(payload, 'flow', 'id'),
          flowName:
            firstStr(payload, 'flow_name', 'flowName') ?? nestedStr(payload, 'flow', 'name'),
          contactId: contactId(payload),
          contactPhone: phone,
        },
        entity: sessionId ?? phone,
      };
    }
    case 'contact': {
      const id = contactId(payload) ?? ownId;
      return {
        fields: {
          contactId: id,
          contactPhone: contactPhone(payload),
          contactName:
            firstStr(payload, 'contact_name', 'contactName', 'name') ??
            nestedStr(payload, 'contact', 'name'),
        },
        entity: id ?? contactPhone(payload),
      };
    }
    case 'conversation': {
      const conversationId =
        firstId(payload, 'conversation_id', 'conversationId') ??
        nestedId(payload, 'conversation', 'id') ??
        ownId;
      return {
        fields: {
          conversationId,
          contactId: contactId(payload),
          contactPhone: contactPhone(payload),
          status:
            firstStr(payload, 'status', 'state') ?? nestedStr(payload, 'conversation', 'status'),
          assigneeId:
            firstId(payload, 'assignee_id', 'assigneeId', 'agent_id', 'agentId', 'assigned_to') ??
            nestedId(payload, 'assignee', 'id') ??
            nestedId(payload, 'agent', 'id'),
          assigneeName:
            firstStr(payload, 'assignee_name', 'assigneeName', 'agent_name', 'agentName') ??
            nestedStr(payload, 'assignee', 'name') ??
            nestedStr(payload, 'agent', 'name'),
        },
        entity: conversationId ?? contactPhone(payload),
      };
    }
  }
}

export interface PlatformEvent {
  readonly family: PlatformFamily;
  /** The event name segment, e.g. `started`. */
  readonly segment: string;
  /** The event name as the provider sent it. */
  readonly providerEvent: string;
  readonly payload: JsonRecord;
  /** The whole body, when `payload` is only the part of it that held the event fields. */
  readonly raw?: JsonRecord;
  readonly idIsEntity: boolean;
  readonly time: string | null;
  readonly at: (string | number)[];
}

export function emitPlatform(ctx: MappingContext, event: PlatformEvent): void {
  const { fields, entity } = familyFields(event.family, event.payload, event.idIsEntity);
  ctx.emit({
    type: `platform.${event.family}.${event.segment}`,
    data: {
      event: event.providerEvent,
      ...fields,
      payload: event.payload,
      ...(event.raw !== undefined ? { raw: event.raw } : {}),
    },
    time: event.time,
    subject: entity,
    sourceKey: null,
    naturalKey: null,
    at: event.at,
  });
}

/** A provider event Switchboard does not model, carried whole. */
export function emitUnrecognizedEvent(
  ctx: MappingContext,
  name: string,
  value: unknown,
  time: string | null,
  reason?: string,
): void {
  const data: DraftData<'whatsapp.change.unrecognized'> = { field: name, value, wabaId: null };
  if (reason !== undefined) data.reason = reason;
  ctx.emit({
    type: 'whatsapp.change.unrecognized',
    data,
    time,
    subject: null,
    sourceKey: null,
    naturalKey: null,
    at: [],
  });
}
