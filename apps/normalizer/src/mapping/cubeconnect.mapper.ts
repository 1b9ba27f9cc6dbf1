import { type JsonRecord, field, firstId, firstStr, isRecord, list, record, str } from './json';
import { type MappingContext, PayloadRejected } from './mapping-context';
import { emitPlatform, emitUnrecognizedEvent, eventSegment } from './platform-events';
import { toUtcIso } from './time';
import type { Business } from './whatsapp';
import { emitReceived, emitStatus } from './whatsapp-events';

/**
 * CubeConnect's outbound webhooks: `{event, tenant_id, timestamp (ISO with offset), ...fields}`
 * (fields may also sit in a `data` object). Every event keeps the whole body (`tenant_id`, campaign
 * fields, ...) as `data.raw`, or for platform events as `payload` (with `raw` beside it when the
 * fields sat in `data`). Events: message.status_updated, message.received,
 * campaign.*, template.submitted|status_changed, flow.session_*, account.quality_event,
 * webhook.test. An event it does not document is carried whole as unrecognized.
 */
export function mapCubeConnect(body: unknown, ctx: MappingContext): void {
  if (!isRecord(body)) {
    throw new PayloadRejected('payload_unsupported', 'A CubeConnect webhook is a JSON object');
  }
  const event = str(field(body, 'event'));
  if (event === null || event === '') {
    throw new PayloadRejected('payload_unsupported', 'A CubeConnect webhook names its event');
  }
  const fields = record(field(body, 'data')) ?? body;
  const time = toUtcIso(field(body, 'timestamp'));
  const [noun = '', ...rest] = event.split('.');
  const verb = rest.join('.');

  if (event === 'message.status_updated') return mapStatus(ctx, body, fields);
  if (event === 'message.received') return mapReceived(ctx, body, fields);
  if (event === 'webhook.test') {
    ctx.emit({
      type: 'webhook.test',
      data: { message: str(field(fields, 'message')), payload: body },
      time,
      subject: null,
      sourceKey: null,
      naturalKey: null,
      at: [],
    });
    return;
  }
  if (noun === 'template') return mapTemplate(ctx, event, verb, body, fields, time);
  if (event === 'account.quality_event') return mapQuality(ctx, body, fields, time);

  const family =
    noun === 'campaign'
      ? 'campaign'
      : noun === 'flow' && verb.startsWith('session_')
        ? 'flow_session'
        : noun === 'contact'
          ? 'contact'
          : noun === 'conversation'
            ? 'conversation'
            : null;
  const segment = eventSegment(family === 'flow_session' ? verb.slice('session_'.length) : verb);
  if (family === null || segment === null) {
    return emitUnrecognizedEvent(
      ctx,
      event,
      body,
      time,
      'A CubeConnect event Switchboard does not model',
    );
  }
  emitPlatform(ctx, {
    family,
    segment,
    providerEvent: event,
    payload: fields,
    idIsEntity: fields !== body,
    ...(fields !== body ? { raw: body } : {}),
    time,
    at: [],
  });
}

/** A campaign a message or status belongs to: `campaign_name`, or `campaign.name`. */
function campaignNameOf(fields: JsonRecord): string | null {
  return (
    firstStr(fields, 'campaign_name', 'campaignName') ??
    firstStr(record(field(fields, 'campaign')), 'name')
  );
}

function businessOf(fields: JsonRecord): Business {
  return {
    phoneNumberId: firstId(fields, 'phone_number_id', 'phoneNumberId'),
    displayPhoneNumber: firstId(fields, 'display_phone_number', 'business_phone'),
    wabaId: firstId(fields, 'waba_id', 'wabaId'),
  };
}

/** The status as a Cloud API status object, so the shared mapping applies. */
function mapStatus(ctx: MappingContext, body: JsonRecord, fields: JsonRecord): void {
  const business = businessOf(fields);
  const error = field(fields, 'error');
  const status: JsonRecord = {
    ...fields,
    id: firstId(fields, 'message_id', 'wamid', 'id'),
    status: field(fields, 'status'),
    recipient_id: firstId(fields, 'recipient_id', 'recipient', 'to', 'phone'),
    timestamp: field(fields, 'status_timestamp') ?? field(body, 'timestamp'),
    errors: Array.isArray(field(fields, 'errors'))
      ? field(fields, 'errors')
      : error === undefined || error === null
        ? []
        : [error],
  };
  const change = {
    field: 'message.status_updated',
    value: body,
    wabaId: business.wabaId,
    entryTime: null,
    at: [],
  };
  emitStatus(ctx, change, business, status, [], {
    raw: body,
    campaignName: campaignNameOf(fields),
  });
}

/**
 * The message as a Cloud API message object: either a `message` object in that shape, or flat
 * fields (`message_id`, `from`, `type`, `text` as a string or `{body}`, ...).
 */
function mapReceived(ctx: MappingContext, body: JsonRecord, fields: JsonRecord): void {
  const business = businessOf(fields);
  const nested = record(field(fields, 'message'));
  const source = nested ?? fields;
  const type = str(field(source, 'type')) ?? 'text';
  const typed = field(source, type);
  const message: JsonRecord = {
    ...source,
    id: firstId(source, 'id', 'message_id', 'wamid') ?? firstId(fields, 'message_id', 'wamid'),
    from: firstId(source, 'from', 'phone', 'customer_phone') ?? firstId(fields, 'from', 'phone'),
    timestamp: field(source, 'timestamp') ?? field(body, 'timestamp'),
    type,
    [type]:
      typeof typed === 'string'
        ? type === 'text'
          ? { body: typed }
          : { url: typed, caption: str(field(source, 'caption')) }
        : (typed ?? (type === 'text' ? { body: firstStr(source, 'body', 'content') } : undefined)),
  };
  const name = firstStr(fields, 'contact_name', 'name', 'profile_name');
  const contacts = list(field(fields, 'contacts')).length
    ? list(field(fields, 'contacts'))
    : name === null
      ? []
      : [{ profile: { name }, wa_id: message.from }];
  const change = {
    field: 'message.received',
    value: body,
    wabaId: business.wabaId,
    entryTime: null,
    at: [],
  };
  emitReceived(ctx, change, business, contacts, message, [], {
    raw: body,
    campaignName: campaignNameOf(fields),
  });
}

function mapTemplate(
  ctx: MappingContext,
  event: string,
  verb: string,
  body: JsonRecord,
  fields: JsonRecord,
  time: string | null,
): void {
  if (verb !== 'submitted' && verb !== 'status_changed') {
    return emitUnrecognizedEvent(
      ctx,
      event,
      body,
      time,
      'A CubeConnect event Switchboard does not model',
    );
  }
  const templateId = firstId(fields, 'template_id', 'message_template_id', 'templateId');
  const status =
    firstStr(fields, 'status', 'new_status') ?? (verb === 'submitted' ? 'SUBMITTED' : null);
  ctx.emit({
    type: 'whatsapp.template.status_changed',
    data: {
      templateId,
      templateName: firstStr(fields, 'template_name', 'name', 'message_template_name'),
      language: firstStr(fields, 'language', 'message_template_language'),
      wabaId: firstId(fields, 'waba_id'),
      event: status,
      reason: firstStr(fields, 'reason', 'rejection_reason'),
      category: firstStr(fields, 'category'),
      raw: body,
    },
    time,
    subject: templateId,
    sourceKey: null,
    naturalKey: templateId === null ? null : `${templateId}|${status}|${time ?? ''}`,
    at: [],
  });
}

function mapQuality(
  ctx: MappingContext,
  body: JsonRecord,
  fields: JsonRecord,
  time: string | null,
): void {
  const displayPhoneNumber = firstId(
    fields,
    'display_phone_number',
    'phone_number',
    'business_phone',
  );
  ctx.emit({
    type: 'whatsapp.account.quality_changed',
    data: {
      displayPhoneNumber,
      event: firstStr(fields, 'quality_event', 'event_type', 'type', 'kind') ?? 'quality_event',
      currentLimit: firstStr(fields, 'current_limit'),
      oldLimit: firstStr(fields, 'old_limit'),
      maxDailyConversationsPerBusiness: null,
      wabaId: firstId(fields, 'waba_id'),
      raw: body,
    },
    time,
    subject: displayPhoneNumber,
    sourceKey: null,
    naturalKey: null,
    at: [],
  });
}
