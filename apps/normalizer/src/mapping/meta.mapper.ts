import { type JsonRecord, field, id, isRecord, list, path, record, str, text } from './json';
import { type DraftData, type MappingContext, PayloadRejected, violation } from './mapping-context';
import { toUtcIso } from './time';
import { type Business, contactFor, conversationSubject, messageParts } from './whatsapp';
import {
  type Change,
  emitError,
  emitUnrecognized,
  emitUpdates,
  objectsOf,
} from './whatsapp-events';

/**
 * Meta's WhatsApp Cloud API (also Cunnekt and CubeConnect channel webhooks in its format):
 * `{object, entry[{id, time?, changes[{field, value}]}]}`. Every entry, change, message, status and
 * error becomes an event; a field Switchboard does not model becomes `whatsapp.change.unrecognized`
 * with its value, so nothing is dropped.
 */
export function mapMeta(body: unknown, ctx: MappingContext): void {
  if (!isRecord(body)) {
    throw new PayloadRejected('payload_unsupported', 'A Cloud API webhook is a JSON object');
  }
  const object = field(body, 'object');
  if (object !== undefined && object !== 'whatsapp_business_account') {
    throw new PayloadRejected(
      'payload_unsupported',
      `object is ${JSON.stringify(object)}, not whatsapp_business_account`,
    );
  }
  const entries = field(body, 'entry');
  if (!Array.isArray(entries)) violation(['entry'], 'Expected an array of entries');
  // An entry or change that is not the shape it should be fails alone: the others still map.
  entries.forEach((entry: unknown, i) => {
    if (!isRecord(entry)) return ctx.reject(['entry', i], 'Expected an entry object');
    const changes = field(entry, 'changes');
    if (!Array.isArray(changes)) {
      return ctx.reject(['entry', i, 'changes'], 'Expected an array of changes');
    }
    const wabaId = id(field(entry, 'id'));
    const entryTime = toUtcIso(field(entry, 'time'));
    changes.forEach((change: unknown, j) => {
      const at = ['entry', i, 'changes', j];
      if (!isRecord(change)) return ctx.reject(at, 'Expected a change object');
      const name = str(field(change, 'field'));
      if (name === null || name === '') return ctx.reject(at, 'Expected the field name');
      const value = field(change, 'value');
      mapChange(ctx, { field: name, value, wabaId, entryTime, at: [...at, 'value'] });
    });
  });
}

type ChangeMapper = (ctx: MappingContext, change: Change, value: JsonRecord) => void;

const changeMappers: Readonly<Record<string, ChangeMapper>> = {
  messages: mapMessages,
  smb_message_echoes: mapEchoes,
  message_template_status_update: mapTemplateStatus,
  message_template_quality_update: mapTemplateQuality,
  template_category_update: mapTemplateCategory,
  phone_number_quality_update: mapPhoneNumberQuality,
  account_update: mapAccountUpdated,
  account_review_update: mapAccountUpdated,
  business_capability_update: mapAccountUpdated,
  phone_number_name_update: mapAccountUpdated,
  security: mapAccountUpdated,
  account_alerts: mapAccountAlert,
  user_preferences: mapUserPreferences,
  flows: mapFlows,
  calls: mapCalls,
};

function mapChange(ctx: MappingContext, change: Change): void {
  const mapper = Object.hasOwn(changeMappers, change.field)
    ? changeMappers[change.field]
    : undefined;
  const value = record(change.value);
  if (mapper === undefined) return emitUnrecognized(ctx, change);
  if (value === null) return emitUnrecognized(ctx, change, 'The value is not an object');
  mapper(ctx, change, value);
}

function businessOf(value: JsonRecord, wabaId: string | null): Business {
  return {
    phoneNumberId: id(path(value, 'metadata', 'phone_number_id')),
    displayPhoneNumber: text(path(value, 'metadata', 'display_phone_number')),
    wabaId,
  };
}

function mapMessages(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const carriesUpdates = ['messages', 'statuses', 'errors'].some((key) =>
    Array.isArray(field(value, key)),
  );
  if (!carriesUpdates) {
    return emitUnrecognized(ctx, change, 'The value holds no messages, statuses or errors');
  }
  emitUpdates(ctx, change, value, businessOf(value, change.wabaId));
}

function mapEchoes(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const business = businessOf(value, change.wabaId);
  for (const { item, at } of objectsOf(ctx, value, 'message_echoes', change.at)) {
    const parts = messageParts(item, business);
    const to = id(field(item, 'to'));
    ctx.emit({
      type: 'whatsapp.message.echoed',
      data: { messageId: parts.messageId, from: parts.from, to, ...parts.fields, raw: item },
      time: parts.timestamp,
      subject: conversationSubject(business.phoneNumberId, ctx.sourceId, to),
      sourceKey: change.wabaId,
      naturalKey: parts.messageId,
      at,
    });
  }
}

function templateFields(value: JsonRecord, change: Change) {
  return {
    templateId: id(field(value, 'message_template_id')),
    templateName: str(field(value, 'message_template_name')),
    language: str(field(value, 'message_template_language')),
    wabaId: change.wabaId,
  };
}

type TemplateEventType =
  | 'whatsapp.template.status_changed'
  | 'whatsapp.template.quality_changed'
  | 'whatsapp.template.category_changed';

function emitTemplate<T extends TemplateEventType>(
  ctx: MappingContext,
  change: Change,
  type: T,
  data: DraftData<T> & { templateId: string | null },
  event: string | null,
): void {
  ctx.emit({
    type,
    data,
    time: change.entryTime,
    subject: data.templateId ?? change.wabaId,
    sourceKey: change.wabaId,
    // Template id + event + time: the same review redelivered is one event, a later one another.
    naturalKey:
      data.templateId === null ? null : `${data.templateId}|${event}|${change.entryTime ?? ''}`,
    at: change.at,
  });
}

function optionalObject(value: JsonRecord, key: string): Record<string, unknown> {
  if (!Object.hasOwn(value, key)) return {};
  const found = field(value, key);
  return { [camel(key)]: isRecord(found) ? found : null };
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function mapTemplateStatus(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const event = str(field(value, 'event'));
  emitTemplate(
    ctx,
    change,
    'whatsapp.template.status_changed',
    {
      ...templateFields(value, change),
      event,
      reason: str(field(value, 'reason')),
      category: str(field(value, 'message_template_category')),
      ...optionalObject(value, 'rejection_info'),
      ...optionalObject(value, 'other_info'),
      ...optionalObject(value, 'disable_info'),
      raw: value,
    },
    event,
  );
}

function mapTemplateQuality(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const score = str(field(value, 'new_quality_score'));
  emitTemplate(
    ctx,
    change,
    'whatsapp.template.quality_changed',
    {
      ...templateFields(value, change),
      previousQualityScore: str(field(value, 'previous_quality_score')),
      newQualityScore: score,
      raw: value,
    },
    score,
  );
}

function mapTemplateCategory(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const category = str(field(value, 'new_category'));
  emitTemplate(
    ctx,
    change,
    'whatsapp.template.category_changed',
    {
      ...templateFields(value, change),
      previousCategory: str(field(value, 'previous_category')),
      newCategory: category,
      correctCategory: str(field(value, 'correct_category')),
      raw: value,
    },
    category,
  );
}

function numberOrText(value: unknown): number | string | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : str(value);
}

function mapPhoneNumberQuality(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const displayPhoneNumber = text(field(value, 'display_phone_number'));
  ctx.emit({
    type: 'whatsapp.account.quality_changed',
    data: {
      displayPhoneNumber,
      event: str(field(value, 'event')),
      currentLimit: text(field(value, 'current_limit')),
      oldLimit: text(field(value, 'old_limit')),
      maxDailyConversationsPerBusiness: numberOrText(
        field(value, 'max_daily_conversations_per_business'),
      ),
      wabaId: change.wabaId,
      raw: value,
    },
    time: change.entryTime,
    subject: displayPhoneNumber ?? change.wabaId,
    sourceKey: change.wabaId,
    naturalKey: null,
    at: change.at,
  });
}

function mapAccountUpdated(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const common = { wabaId: change.wabaId, raw: value };
  const displayPhoneNumber = text(field(value, 'display_phone_number'));
  let data: DraftData<'whatsapp.account.updated'>;
  switch (change.field) {
    case 'account_review_update':
      data = { change: change.field, decision: str(field(value, 'decision')), ...common };
      break;
    case 'business_capability_update':
      data = {
        change: change.field,
        maxDailyConversationsPerBusiness: numberOrText(
          field(value, 'max_daily_conversations_per_business'),
        ),
        maxPhoneNumbersPerBusiness: numberOrText(field(value, 'max_phone_numbers_per_business')),
        ...common,
      };
      break;
    case 'phone_number_name_update':
      data = {
        change: change.field,
        displayPhoneNumber,
        decision: str(field(value, 'decision')),
        requestedVerifiedName: str(field(value, 'requested_verified_name')),
        rejectionReason: str(field(value, 'rejection_reason')),
        ...common,
      };
      break;
    case 'security':
      data = {
        change: change.field,
        displayPhoneNumber,
        event: str(field(value, 'event')),
        requester: text(field(value, 'requester')),
        ...common,
      };
      break;
    default:
      // account_update; any other field routed here would fail the schema (change is a literal).
      data = {
        change: change.field === 'account_update' ? change.field : null,
        event: str(field(value, 'event')),
        ...common,
      };
  }
  ctx.emit({
    type: 'whatsapp.account.updated',
    data,
    time: change.entryTime,
    subject: displayPhoneNumber ?? change.wabaId,
    sourceKey: change.wabaId,
    naturalKey: null,
    at: change.at,
  });
}

function mapAccountAlert(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const alert = field(value, 'alert_info');
  const entityId = id(field(value, 'entity_id'));
  ctx.emit({
    type: 'whatsapp.account.alert',
    data: {
      entityType: str(field(value, 'entity_type')),
      entityId,
      alertSeverity: str(field(alert, 'alert_severity')),
      alertStatus: str(field(alert, 'alert_status')),
      alertType: str(field(alert, 'alert_type')),
      alertDescription: str(field(alert, 'alert_description')),
      wabaId: change.wabaId,
      raw: value,
    },
    time: change.entryTime,
    subject: entityId ?? change.wabaId,
    sourceKey: change.wabaId,
    naturalKey: null,
    at: change.at,
  });
}

function mapUserPreferences(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const business = businessOf(value, change.wabaId);
  const contacts = list(field(value, 'contacts'));
  for (const { item, at } of objectsOf(ctx, value, 'user_preferences', change.at)) {
    const waId = id(field(item, 'wa_id'));
    const contact = contactFor(
      contacts,
      waId,
      id(field(item, 'user_id')),
      id(field(item, 'parent_user_id')),
    );
    const timestamp = toUtcIso(field(item, 'timestamp'));
    ctx.emit({
      type: 'whatsapp.user.preferences_changed',
      data: {
        contact,
        business,
        category: str(field(item, 'category')),
        preference: str(field(item, 'value')),
        detail: str(field(item, 'detail')),
        timestamp,
        raw: item,
      },
      time: timestamp ?? change.entryTime,
      subject: conversationSubject(
        business.phoneNumberId,
        ctx.sourceId,
        contact.waId ?? contact.userId,
      ),
      sourceKey: change.wabaId,
      naturalKey: null,
      at,
    });
  }
}

function mapFlows(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const flowId = id(field(value, 'flow_id'));
  ctx.emit({
    type: 'whatsapp.flow.event',
    data: {
      event: str(field(value, 'event')),
      flowId,
      message: str(field(value, 'message')),
      oldStatus: str(field(value, 'old_status')),
      newStatus: str(field(value, 'new_status')),
      wabaId: change.wabaId,
      raw: value,
    },
    time: change.entryTime,
    subject: flowId ?? change.wabaId,
    sourceKey: change.wabaId,
    naturalKey: null,
    at: change.at,
  });
}

function mapCalls(ctx: MappingContext, change: Change, value: JsonRecord): void {
  const business = businessOf(value, change.wabaId);
  const contacts = list(field(value, 'contacts'));
  const emitCall = (
    item: JsonRecord,
    at: (string | number)[],
    fields: { event: string | null; status: string | null; from: string | null; to: string | null },
  ): void => {
    const callId = id(field(item, 'id'));
    // The user is the party that is not the business number.
    const businessSide = new Set([business.displayPhoneNumber, business.phoneNumberId]);
    const user =
      fields.from !== null && !businessSide.has(fields.from)
        ? fields.from
        : fields.to !== null && !businessSide.has(fields.to)
          ? fields.to
          : null;
    const contact = contactFor(contacts, user, null);
    const timestamp = toUtcIso(field(item, 'timestamp'));
    const duration = field(item, 'duration');
    ctx.emit({
      type: 'whatsapp.call.event',
      data: {
        callId,
        ...fields,
        direction: str(field(item, 'direction')),
        timestamp,
        startTime: toUtcIso(field(item, 'start_time')),
        endTime: toUtcIso(field(item, 'end_time')),
        durationSeconds:
          typeof duration === 'number' && Number.isFinite(duration) ? duration : null,
        contact,
        business,
        raw: item,
      },
      time: timestamp ?? change.entryTime,
      subject:
        user !== null
          ? conversationSubject(business.phoneNumberId, ctx.sourceId, user)
          : (callId ?? business.phoneNumberId),
      sourceKey: change.wabaId,
      naturalKey: null,
      at,
    });
  };

  for (const { item, at } of objectsOf(ctx, value, 'calls', change.at)) {
    emitCall(item, at, {
      event: str(field(item, 'event')),
      status: text(field(item, 'status')),
      from: id(field(item, 'from')),
      to: id(field(item, 'to')),
    });
  }
  for (const { item, at } of objectsOf(ctx, value, 'statuses', change.at)) {
    emitCall(item, at, {
      event: 'status',
      status: str(field(item, 'status')),
      from: null,
      to: id(field(item, 'recipient_id')),
    });
  }
  for (const [k, error] of list(field(value, 'errors')).entries()) {
    emitError(ctx, change, business, error, [...change.at, 'errors', k]);
  }
}
