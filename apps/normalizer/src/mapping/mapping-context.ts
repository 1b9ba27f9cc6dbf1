import {
  type CanonicalEvent,
  type CanonicalEventType,
  type ContractIssue,
  type EventDataOf,
  type DeadLetterReasonCode,
  type RawInboundEnvelope,
  eventTypeDefinition,
  validateCanonicalEvent,
} from '@switchboard/contracts';

import { contentKey, eventId } from './ids';
import { toUtcIso } from './time';

/** Why a payload could not be normalized: the dead-letter reason codes the mappers use. */
export type NormalizeFailureReason = Extract<
  DeadLetterReasonCode,
  | 'payload_malformed_json'
  | 'payload_schema_violation'
  | 'payload_unsupported'
  | 'processing_failed'
>;

/**
 * One item of a webhook that could not become an event (an update that violates its type's schema,
 * or that is not even an object), dead-lettered on its own while the webhook's other items are
 * published.
 */
export interface ItemFailure {
  /** JSON Pointer (RFC 6901) of the item in the body, e.g. `/entry/0/changes/0/value/statuses/3`. */
  readonly pointer: string;
  readonly reason: 'payload_schema_violation';
  readonly message: string;
  readonly issues: ContractIssue[];
  /** The item exactly as the provider sent it (null when the pointer names nothing). */
  readonly value: unknown;
}

export type NormalizeResult =
  | {
      readonly ok: true;
      /** The events of every item that mapped, validated, without duplicate ids. */
      readonly events: CanonicalEvent[];
      /** The items that did not, each to be dead-lettered on its own. */
      readonly failures: ItemFailure[];
    }
  | {
      readonly ok: false;
      readonly reason: NormalizeFailureReason;
      readonly message: string;
      readonly issues: ContractIssue[];
    };

/** Thrown inside a mapper when the payload cannot be mapped; `normalize` turns it into a result. */
export class PayloadRejected extends Error {
  constructor(
    readonly reason: NormalizeFailureReason,
    message: string,
    readonly issues: ContractIssue[] = [],
  ) {
    super(message);
    this.name = 'PayloadRejected';
  }
}

/** Rejects the payload for a structural problem at a path of the body. */
export function violation(path: (string | number)[], message: string): never {
  throw new PayloadRejected('payload_schema_violation', `${pointer(path)}: ${message}`, [
    { path, message, code: 'invalid_type' },
  ]);
}

/** `/entry/0/changes/1/value`: a path in the body as a JSON Pointer (RFC 6901). */
export function jsonPointer(path: readonly (string | number)[]): string {
  return path
    .map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

/** `entry[0].changes[1].value`: where in the body something is, for messages. */
export function pointer(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(body)';
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`,
    )
    .join('');
}

/**
 * What a mapper may build for a value of type D: D's shape, where any value may also be null (the
 * provider did not send it, or sent something else; the schema decides when the draft is
 * validated, and dead-letters the item). A field D does not have, or a value of another type, does
 * not compile.
 */
export type Draft<D> = D extends readonly (infer U)[]
  ? readonly Draft<U>[]
  : D extends object
    ? { [K in keyof D]: Draft<D[K]> | null }
    : D | null;

/** The data a mapper builds for an event of type T: its data schema's shape, as a draft. */
export type DraftData<T extends CanonicalEventType> = Draft<EventDataOf<T>>;

/** One event a mapper found, before ids, envelope attributes and validation are added. */
export interface EventDraft<T extends CanonicalEventType = CanonicalEventType> {
  readonly type: T;
  readonly data: DraftData<T>;
  /** When it happened at the provider (ISO UTC); null falls back to when ingress received it. */
  readonly time: string | null;
  /** The conversation or entity key; null leaves `subject` out. */
  readonly subject: string | null;
  /** The account or entity the source attribute names (WABA id); null names the source id. */
  readonly sourceKey: string | null;
  /**
   * The natural key the id derives from (a message id, message id + status, ...). Null derives it
   * from the event's content (type, data and provider time) when the provider gave a time, else
   * from the raw webhook's id and the event's position in it: content alone cannot tell the same
   * text sent twice from one delivery sent twice.
   */
  readonly naturalKey: string | null;
  /**
   * The messaging channel the provider reported (Connectly's channelType), lowercased into the
   * `channel` attribute; absent or null is `whatsapp`.
   */
  readonly channel?: string | null;
  /** Where in the body the event came from, for dead-letter messages. */
  readonly at: readonly (string | number)[];
}

/** The channel of an event whose provider names none. */
export const DEFAULT_CHANNEL = 'whatsapp';

/**
 * Collects the events of one raw webhook and turns them into validated canonical events; an item
 * that cannot become one is set aside as an item failure, never failing the others.
 */
export class MappingContext {
  private readonly drafts: EventDraft[] = [];
  private readonly rejected: { at: readonly (string | number)[]; message: string }[] = [];

  /** `body` is the parsed webhook the paths of drafts and rejections point into. */
  constructor(
    readonly envelope: RawInboundEnvelope,
    private readonly body: unknown = undefined,
  ) {}

  get sourceId(): string {
    return this.envelope.sourceId;
  }

  /** Adds an event of type T; its data is typed by T's schema, so a wrong field does not compile. */
  emit<T extends CanonicalEventType>(draft: EventDraft<T>): void {
    this.drafts.push(draft as unknown as EventDraft);
  }

  /** Sets one item aside (it is not the shape its place in the body calls for). */
  reject(at: readonly (string | number)[], message: string): void {
    this.rejected.push({ at, message });
  }

  /**
   * The canonical events, each validated against its type's schema, without duplicate ids (a
   * request that repeats an update yields it once), and the items that failed, one failure per
   * item with every issue found in it.
   */
  result(): NormalizeResult {
    const events: CanonicalEvent[] = [];
    const seen = new Set<string>();
    const failed = new Map<string, { at: readonly (string | number)[]; issues: ContractIssue[] }>();
    const fail = (at: readonly (string | number)[], issues: ContractIssue[]): void => {
      const key = jsonPointer(at);
      const found = failed.get(key);
      if (found) found.issues.push(...issues);
      else failed.set(key, { at, issues: [...issues] });
    };
    for (const { at, message } of this.rejected) {
      fail(at, [{ path: [...at], message, code: 'invalid_type' }]);
    }
    const positions = new Map<string, number>();
    for (const draft of this.drafts) {
      const where = jsonPointer(draft.at);
      const position = positions.get(where) ?? 0;
      positions.set(where, position + 1);
      const built = this.build(draft, `${where}#${position}`);
      const validation = validateCanonicalEvent(built);
      if (!validation.ok) {
        fail(
          draft.at,
          validation.issues.map((issue) => ({
            ...issue,
            message: `${draft.type} at ${pointer(draft.at)}: ${issue.message}`,
          })),
        );
        continue;
      }
      if (seen.has(validation.event.id)) continue;
      seen.add(validation.event.id);
      events.push(validation.event);
    }
    const failures: ItemFailure[] = [...failed].map(([key, { at, issues }]) => ({
      pointer: key,
      reason: 'payload_schema_violation',
      message: `${pointer(at)}: ${issues[0]?.message ?? 'invalid'}${
        issues.length > 1 ? ` (and ${issues.length - 1} more issue(s))` : ''
      }`,
      issues: issues.slice(0, 100),
      value: valueAt(this.body, at) ?? null,
    }));
    return { ok: true, events, failures };
  }

  private build(draft: EventDraft, position: string): Record<string, unknown> {
    const { envelope } = this;
    const definition = eventTypeDefinition(draft.type);
    if (definition === undefined) {
      throw new PayloadRejected('processing_failed', `Mapper produced unknown type ${draft.type}`);
    }
    const naturalKey =
      draft.naturalKey ??
      (draft.time !== null
        ? contentKey({ type: draft.type, time: draft.time, data: draft.data })
        : `raw:${envelope.id}|${position}`);
    const event: Record<string, unknown> = {
      specversion: '1.0',
      id: eventId(envelope, draft.type, naturalKey),
      source: `switchboard/${envelope.provider}/${draft.sourceKey ?? envelope.sourceId}`,
      type: draft.type,
      time: draft.time ?? toUtcIso(envelope.receivedAt) ?? envelope.receivedAt,
      datacontenttype: 'application/json',
      businessid: envelope.businessId,
      topic: definition.topic,
      environment: envelope.environment,
      provider: envelope.provider,
      rawid: envelope.id,
      channel: draft.channel?.toLowerCase() || DEFAULT_CHANNEL,
      data: draft.data,
    };
    if (draft.subject !== null && draft.subject.length > 0) event.subject = draft.subject;
    return event;
  }
}

/** The value at a path of a parsed body, or undefined. */
function valueAt(body: unknown, at: readonly (string | number)[]): unknown {
  let current = body;
  for (const segment of at) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
