import { field, firstStr, isRecord, record } from './json';
import { type MappingContext, PayloadRejected } from './mapping-context';
import {
  type PlatformFamily,
  emitPlatform,
  emitUnrecognizedEvent,
  eventSegment,
} from './platform-events';
import { toUtcIso } from './time';

/**
 * Platform events from Standard Webhooks senders (e.g. Cunnekt's platform webhooks): campaigns,
 * chatbot/automation sessions, contacts, conversations and assignments. Accepts the Standard
 * Webhooks shape `{type, timestamp, data}` and, leniently, `{event, ...fields}`,
 * `{event, data}` and `{event_type, ...}`. Types may carry a `platform.` prefix.
 */
export function mapStandard(body: unknown, ctx: MappingContext): void {
  if (!isRecord(body)) {
    throw new PayloadRejected('payload_unsupported', 'A platform webhook is a JSON object');
  }
  const type = firstStr(body, 'type', 'event', 'event_type', 'eventType');
  if (type === null || type === '') {
    throw new PayloadRejected('payload_unsupported', 'A platform webhook names its type or event');
  }
  const nested = record(field(body, 'data')) ?? record(field(body, 'payload'));
  const payload = nested ?? body;
  const time = toUtcIso(
    field(body, 'timestamp') ??
      field(body, 'created_at') ??
      field(body, 'occurred_at') ??
      field(payload, 'timestamp'),
  );

  if (isTest(type)) {
    ctx.emit({
      type: 'webhook.test',
      data: { message: firstStr(payload, 'message'), payload: body },
      time,
      subject: null,
      sourceKey: null,
      naturalKey: null,
      at: [],
    });
    return;
  }

  const resolved = resolve(type);
  if (resolved === null) {
    return emitUnrecognizedEvent(
      ctx,
      type,
      body,
      time,
      'A platform event Switchboard does not model',
    );
  }
  emitPlatform(ctx, {
    ...resolved,
    providerEvent: type,
    payload,
    ...(nested !== null ? { raw: body } : {}),
    idIsEntity: nested !== null,
    time,
    at: nested === null ? [] : ['data'],
  });
}

function isTest(type: string): boolean {
  return ['webhook.test', 'test', 'ping', 'webhook.ping'].includes(type.toLowerCase());
}

/** `campaign.started` → campaign/started; `assignment.created` → conversation/assigned; ... */
function resolve(type: string): { family: PlatformFamily; segment: string } | null {
  const name = type.toLowerCase().replace(/^platform\./, '');
  const dot = name.indexOf('.');
  if (dot <= 0) return null;
  const noun = name.slice(0, dot);
  const verb = name.slice(dot + 1);
  const segment = eventSegment(verb);
  if (segment === null) return null;
  switch (noun) {
    case 'campaign':
    case 'contact':
    case 'conversation':
      return { family: noun, segment };
    case 'flow_session':
    case 'automation':
      return { family: 'flow_session', segment };
    case 'flow':
      return segment.startsWith('session_') && segment.length > 'session_'.length
        ? { family: 'flow_session', segment: segment.slice('session_'.length) }
        : null;
    case 'assignment':
      return { family: 'conversation', segment: assignmentSegment(segment) };
    default:
      return null;
  }
}

function assignmentSegment(segment: string): string {
  if (['created', 'updated', 'assigned', 'changed'].includes(segment)) return 'assigned';
  if (['removed', 'deleted', 'unassigned'].includes(segment)) return 'unassigned';
  return `assignment_${segment}`;
}
