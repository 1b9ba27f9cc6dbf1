import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type ContractIssue,
  type DeadLetter,
  type DeadLetterReasonCode,
  decode,
  InboundRawTopic,
  type RawInboundEnvelope,
} from '@switchboard/contracts';
import { type ItemFailure, messageIdOf, normalize } from '../mapping';
import { uuidBytes, uuidV5 } from '../mapping/ids';
import { type AuditedEvent, type AuditedRaw, AuditLogRepository } from './audit-log.repository';
import { EventPublisher } from './event.publisher';
import { NormalizerMetrics } from './normalizer.metrics';

/** One record of the raw topic as consumed. */
export interface ConsumedRaw {
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
}

/** Injection token: the most canonical events one raw webhook may become. */
export const MAX_EVENTS_PER_WEBHOOK = Symbol('MAX_EVENTS_PER_WEBHOOK');
export const DEFAULT_MAX_EVENTS_PER_WEBHOOK = 5_000;

/** Dead-letter ids are derived from what failed, so a redelivered record gets the same id. */
const DEAD_LETTER_NAMESPACE = uuidBytes('5b0f7f2e-3c1d-4a57-9a43-8e0c4f3b7d21');

/**
 * The normalizer's use case for one consumer batch: decode every raw webhook, map it to canonical
 * events (or a dead letter), write the whole batch to the audit log, then publish what is new. The
 * consumer commits the batch's offsets only after this resolves, so a crash at any point repeats
 * the batch, and the audit log's ON CONFLICT DO NOTHING plus ownership by raw id keep it exact.
 */
@Injectable()
export class NormalizeBatchService {
  constructor(
    private readonly auditLog: AuditLogRepository,
    private readonly publisher: EventPublisher,
    private readonly metrics: NormalizerMetrics,
    @Optional()
    @Inject(MAX_EVENTS_PER_WEBHOOK)
    private readonly maxEventsPerWebhook: number = DEFAULT_MAX_EVENTS_PER_WEBHOOK,
  ) {}

  async process(
    records: readonly ConsumedRaw[],
  ): Promise<{ published: number; deadLettered: number }> {
    const raws: AuditedRaw[] = [];
    const events: AuditedEvent[] = [];
    const deadLetters: DeadLetter[] = [];
    const failedAt = new Date().toISOString();

    for (const record of records) {
      const decoded = decode(InboundRawTopic, record.value);
      if (!decoded.ok) {
        deadLetters.push(
          deadLetterOf(
            `${record.topic}:${record.partition}:${record.offset}`,
            null,
            decoded.reason === 'malformed_json'
              ? 'envelope_malformed_json'
              : 'envelope_schema_violation',
            decoded.message,
            decoded.issues,
            { kind: 'bytes', base64: (record.value ?? Buffer.alloc(0)).toString('base64') },
            failedAt,
          ),
        );
        continue;
      }
      const envelope = decoded.value;
      const result = normalize(envelope);
      // Items dead-lettered one by one count too: each would be a record of its own.
      const items = result.ok ? result.events.length + result.failures.length : 0;
      const tooMany = items > this.maxEventsPerWebhook;
      if (!result.ok || tooMany) {
        const deadLetter = deadLetterOf(
          envelope.id,
          envelope,
          result.ok ? 'too_many_events' : result.reason,
          result.ok
            ? `the webhook holds ${items} events` +
                (result.failures.length > 0
                  ? ` (${result.failures.length} of them malformed)`
                  : '') +
                `; at most ${this.maxEventsPerWebhook} per webhook (MAX_EVENTS_PER_WEBHOOK): ` +
                'nothing of it was published'
            : result.message,
          result.ok ? [] : result.issues,
          { kind: 'envelope', envelope },
          failedAt,
        );
        raws.push({ envelope, outcome: 'dead_lettered', reason: deadLetter.reason });
        deadLetters.push(deadLetter);
        continue;
      }
      // Each item that failed is dead-lettered on its own; the others' events are published.
      for (const failure of result.failures) {
        deadLetters.push(itemDeadLetterOf(envelope, failure, failedAt));
      }
      raws.push({
        envelope,
        outcome:
          result.failures.length === 0
            ? 'normalized'
            : result.events.length === 0
              ? 'dead_lettered'
              : 'partial',
        reason: result.failures.length === 0 ? null : partialReason(result.failures, result.events),
      });
      for (const event of result.events) {
        // Serialised once for the audit row and the published value. normalize validated the
        // event against its type's schema, which only narrows CloudEvent, so this is the JSON
        // encode() would give (pinned by event.publisher.spec.ts).
        events.push({
          event,
          json: JSON.stringify(event),
          rawId: envelope.id,
          messageId: messageIdOf(event),
        });
      }
    }

    const toPublish = await this.auditLog.record({ raws, events, deadLetters });
    await this.publisher.publish(toPublish, deadLetters);
    this.metrics.recordBatch(records.length, toPublish.length, deadLetters.length);
    return { published: toPublish.length, deadLettered: deadLetters.length };
  }
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

function deadLetterOf(
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
