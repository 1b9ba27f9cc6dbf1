import { Injectable } from '@nestjs/common';
import type { DeadLetter, RawInboundEnvelope } from '@switchboard/contracts';
import type { InvalidRecord, TraceContext } from '@switchboard/kafka';
import { InjectConfig } from '@switchboard/service-kit';
import type { NormalizerConfig } from '../config/normalizer.config';
import { type AuditedEvent, type AuditedRaw, AuditLogRepository } from './audit-log.repository';
import { EventPublisher } from './event.publisher';
import { deadLetterOf, type NormalizedEnvelope, normalizeEnvelope } from './normalize-envelope';
import { NormalizerMetrics } from './normalizer.metrics';

/**
 * One record of the raw topic as consumed: its envelope, or, for a record that is not an
 * envelope, why (it is dead-lettered with its bytes).
 */
export type ConsumedRaw = (
  | { readonly envelope: RawInboundEnvelope }
  | { readonly invalid: Pick<InvalidRecord, 'reason' | 'message' | 'issues' | 'bytes'> }
) & {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The record's trace (tracing on): what is published of it joins this trace. */
  readonly traceContext?: TraceContext;
};

/** Events published at a time by a paced (bulk) batch. */
export const PACED_SLICE = 50;

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
    @InjectConfig() private readonly config: Pick<NormalizerConfig, 'MAX_EVENTS_PER_WEBHOOK'>,
  ) {}

  /**
   * With `pace` (the bulk lane), the events are stored and published in slices (of `slice()`,
   * {@link PACED_SLICE} by default), each once `pace` lets it through; a crash between slices leaves the first
   * ones stored and published, and the batch, consumed again, stores the rest and publishes every
   * slice again (ids are deterministic, so the audit log keeps one row each). Without, the batch
   * is stored by one statement and published at once.
   */
  async process(
    records: readonly ConsumedRaw[],
    options: {
      pace?: (events: number) => Promise<void>;
      /** Events per paced slice, asked before each ({@link PACED_SLICE} by default). */
      slice?: () => number;
      /** Maps a webhook elsewhere (the bulk lane's worker thread); in line by default. */
      map?: (
        envelope: RawInboundEnvelope,
        maxEventsPerWebhook: number,
        failedAt: string,
      ) => Promise<NormalizedEnvelope>;
    } = {},
  ): Promise<{ published: number; deadLettered: number }> {
    const raws: AuditedRaw[] = [];
    const events: AuditedEvent[] = [];
    const deadLetters: DeadLetter[] = [];
    const failedAt = new Date().toISOString();
    // Each event and dead letter is published in the trace of the raw webhook it came from.
    const traces = new Map<string, TraceContext>();

    for (const record of records) {
      if ('invalid' in record) {
        const { invalid } = record;
        const deadLetter = deadLetterOf(
          `${record.topic}:${record.partition}:${record.offset}`,
          null,
          invalid.reason === 'malformed_json'
            ? 'envelope_malformed_json'
            : 'envelope_schema_violation',
          invalid.message,
          invalid.issues,
          { kind: 'bytes', base64: (invalid.bytes ?? Buffer.alloc(0)).toString('base64') },
          failedAt,
        );
        if (record.traceContext) traces.set(deadLetter.id, record.traceContext);
        deadLetters.push(deadLetter);
        continue;
      }
      if (record.traceContext) traces.set(record.envelope.id, record.traceContext);
      const mapped = options.map
        ? await options.map(record.envelope, this.config.MAX_EVENTS_PER_WEBHOOK, failedAt)
        : normalizeEnvelope(record.envelope, this.config.MAX_EVENTS_PER_WEBHOOK, failedAt);
      raws.push(mapped.raw);
      events.push(...mapped.events);
      deadLetters.push(...mapped.deadLetters);
    }

    const traceOf = (key: string): TraceContext | undefined => traces.get(key);
    let published = 0;
    if (options.pace === undefined) {
      const toPublish = await this.auditLog.record({ raws, events, deadLetters });
      await this.publisher.publish(toPublish, deadLetters, traceOf);
      published = toPublish.length;
    } else {
      // Stored and published a slice at a time, so neither PostgreSQL nor the public topics get
      // thousands of rows in one go; the raw webhooks and dead letters go with the first slice.
      for (let from = 0; from === 0 || from < events.length;) {
        const first = from === 0;
        const size = Math.max(1, Math.floor(options.slice?.() ?? PACED_SLICE));
        const slice = events.slice(from, from + size);
        from += size;
        await options.pace(slice.length);
        const toPublish = await this.auditLog.record({
          raws: first ? raws : [],
          events: slice,
          deadLetters: first ? deadLetters : [],
        });
        await this.publisher.publish(toPublish, first ? deadLetters : [], traceOf);
        published += toPublish.length;
      }
    }
    this.metrics.recordBatch(records.length, published, deadLetters.length);
    return { published, deadLettered: deadLetters.length };
  }
}
