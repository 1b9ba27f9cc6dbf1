import {
  type CanonicalEvent,
  type ContractIssue,
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

export type NormalizeResult =
  | { readonly ok: true; readonly events: CanonicalEvent[] }
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

/** `entry[0].changes[1].value`: where in the body something is, for messages. */
export function pointer(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(body)';
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`,
    )
    .join('');
}

/** One event a mapper found, before ids, envelope attributes and validation are added. */
export interface EventDraft {
  readonly type: string;
  readonly data: Record<string, unknown>;
  /** When it happened at the provider (ISO UTC); null falls back to when ingress received it. */
  readonly time: string | null;
  /** The conversation or entity key; null leaves `subject` out. */
  readonly subject: string | null;
  /** The account or entity the source attribute names (WABA id); null names the source id. */
  readonly sourceKey: string | null;
  /**
   * The natural key the id derives from (a message id, message id + status, ...). Null derives it
   * from the event's content: its type, data and provider time.
   */
  readonly naturalKey: string | null;
  /** Where in the body the event came from, for dead-letter messages. */
  readonly at: readonly (string | number)[];
}

/** Collects the events of one raw webhook and turns them into validated canonical events. */
export class MappingContext {
  private readonly drafts: EventDraft[] = [];

  constructor(readonly envelope: RawInboundEnvelope) {}

  get sourceId(): string {
    return this.envelope.sourceId;
  }

  emit(draft: EventDraft): void {
    this.drafts.push(draft);
  }

  /**
   * The canonical events, each validated against its type's schema, without duplicate ids (a
   * request that repeats an update yields it once); or why they cannot be published.
   */
  result(): NormalizeResult {
    const events: CanonicalEvent[] = [];
    const seen = new Set<string>();
    const issues: ContractIssue[] = [];
    const failures: string[] = [];
    for (const draft of this.drafts) {
      const built = this.build(draft);
      const validation = validateCanonicalEvent(built);
      if (!validation.ok) {
        failures.push(`${draft.type} at ${pointer(draft.at)}`);
        issues.push(
          ...validation.issues.map((issue) => ({
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
    if (failures.length > 0) {
      return {
        ok: false,
        reason: 'payload_schema_violation',
        message: `${failures.length} event(s) violate their schema: ${failures.slice(0, 5).join('; ')}`,
        issues: issues.slice(0, 100),
      };
    }
    return { ok: true, events };
  }

  private build(draft: EventDraft): Record<string, unknown> {
    const { envelope } = this;
    const definition = eventTypeDefinition(draft.type);
    if (definition === undefined) {
      throw new PayloadRejected('processing_failed', `Mapper produced unknown type ${draft.type}`);
    }
    const naturalKey =
      draft.naturalKey ?? contentKey({ type: draft.type, time: draft.time, data: draft.data });
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
      data: draft.data,
    };
    if (draft.subject !== null && draft.subject.length > 0) event.subject = draft.subject;
    return event;
  }
}
