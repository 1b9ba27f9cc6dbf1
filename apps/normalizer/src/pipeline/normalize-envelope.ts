import type {
  ContractIssue,
  DeadLetter,
  DeadLetterReasonCode,
  RawInboundEnvelope,
} from '@switchboard/contracts';
import { type ItemFailure, messageIdOf, normalize } from '../mapping';
import { uuidBytes, uuidV5 } from '../mapping/ids';
import type { AuditedEvent, AuditedRaw } from './audit-log.repository';

/** Dead-letter ids are derived from what failed, so a redelivered record gets the same id. */
const DEAD_LETTER_NAMESPACE = uuidBytes('5b0f7f2e-3c1d-4a57-9a43-8e0c4f3b7d21');

/** What one raw webhook becomes: its audit row, its events and its dead letters. */
export interface NormalizedEnvelope {
  raw: AuditedRaw;
  events: AuditedEvent[];
  deadLetters: DeadLetter[];
}

/**
 * Maps one decoded raw webhook with the current mappers: its events, or the whole webhook
 * dead-lettered (`too_many_events` beyond `maxEventsPerWebhook`), or the items that failed
 * dead-lettered one by one beside the others' events. Deterministic ids throughout, so the same
 * raw webhook mapped again (a redelivery, a replay) gives the same event and dead-letter ids.
 */
export function normalizeEnvelope(
  envelope: RawInboundEnvelope,
  maxEventsPerWebhook: number,
  failedAt: string,
): NormalizedEnvelope {
  const result = normalize(envelope);
  // Items dead-lettered one by one count too: each would be a record of its own.
  const items = result.ok ? result.events.length + result.failures.length : 0;
  const tooMany = items > maxEventsPerWebhook;
  if (!result.ok || tooMany) {
    const deadLetter = deadLetterOf(
      envelope.id,
      envelope,
      result.ok ? 'too_many_events' : result.reason,
      result.ok
        ? `the webhook holds ${items} events` +
            (result.failures.length > 0 ? ` (${result.failures.length} of them malformed)` : '') +
            `; at most ${maxEventsPerWebhook} per webhook (MAX_EVENTS_PER_WEBHOOK): ` +
            'nothing of it was published'
        : result.message,
      result.ok ? [] : result.issues,
      { kind: 'envelope', envelope },
      failedAt,
    );
    return {
      raw: { envelope, outcome: 'dead_lettered', reason: deadLetter.reason },
      events: [],
      deadLetters: [deadLetter],
    };
  }
  // Each item that failed is dead-lettered on its own; the others' events are published.
  const deadLetters = result.failures.map((f) => itemDeadLetterOf(envelope, f, failedAt));
  const raw: AuditedRaw = {
    envelope,
    outcome:
      result.failures.length === 0
        ? 'normalized'
        : result.events.length === 0
          ? 'dead_lettered'
          : 'partial',
    reason: result.failures.length === 0 ? null : partialReason(result.failures, result.events),
  };
  // Serialised once for the audit row and the published value. normalize validated the event
  // against its type's schema, which only narrows CloudEvent, so this is the JSON encode() would
  // give (pinned by event.publisher.spec.ts).
  const events = result.events.map((event) => ({
    event,
    json: JSON.stringify(event),
    rawId: envelope.id,
    messageId: messageIdOf(event),
  }));
  return { raw, events, deadLetters };
}

/** One failed item of a webhook, under an id derived from the raw id and the item's pointer. */
function itemDeadLetterOf(
  envelope: RawInboundEnvelope,
  failure: ItemFailure,
  failedAt: string,
): DeadLetter {
  return {
    id: uuidV5(`dead-letter|${envelope.id}|${failure.pointer}`, DEAD_LETTER_NAMESPACE),
    rawId: envelope.id,
    sourceId: envelope.sourceId,
    receivedAt: envelope.receivedAt,
    failedAt,
    reason: { code: failure.reason, message: failure.message },
    issues: [...failure.issues],
    pointer: failure.pointer,
    original: { kind: 'item', value: failure.value },
  };
}

/** What the audit log records of a webhook some of whose items were dead-lettered. */
function partialReason(
  failures: readonly ItemFailure[],
  events: readonly unknown[],
): DeadLetter['reason'] {
  const shown = failures
    .slice(0, 5)
    .map((f) => f.pointer)
    .join(', ');
  return {
    code: 'payload_schema_violation',
    message:
      `${failures.length} item(s) dead-lettered one by one (${shown}` +
      `${failures.length > 5 ? ', ...' : ''}); ${events.length} event(s) normalized`,
  };
}

export function deadLetterOf(
  naturalKey: string,
  envelope: RawInboundEnvelope | null,
  code: DeadLetterReasonCode,
  message: string,
  issues: readonly ContractIssue[],
  original: DeadLetter['original'],
  failedAt: string,
): DeadLetter {
  return {
    id: uuidV5(`dead-letter|${naturalKey}`, DEAD_LETTER_NAMESPACE),
    rawId: envelope?.id ?? null,
    sourceId: envelope?.sourceId ?? null,
    receivedAt: envelope?.receivedAt ?? null,
    failedAt,
    reason: { code, message },
    issues: [...issues],
    original,
  };
}
