import { Injectable } from '@nestjs/common';
import type { CloudEvent, DeadLetter, RawInboundEnvelope } from '@switchboard/contracts';
import { type PreparedStatement, runPrepared } from '@switchboard/database';
import { DataSource } from 'typeorm';

export interface AuditedEvent {
  event: CloudEvent;
  /** The event as JSON, serialised once: the audit row and the published value are this text. */
  json: string;
  /** The raw webhook this event came from in this batch. */
  rawId: string;
  messageId: string | null;
}

/**
 * What became of a raw webhook: every item normalized; `partial`, some items dead-lettered one by
 * one and the others normalized; or `dead_lettered`, nothing of it normalized.
 */
export type RawOutcome = 'normalized' | 'partial' | 'dead_lettered';

export interface AuditedRaw {
  envelope: RawInboundEnvelope;
  outcome: RawOutcome;
  /** Why it, or some of its items, could not be normalized; null when it was normalized. */
  reason: DeadLetter['reason'] | null;
}

export interface AuditBatch {
  raws: AuditedRaw[];
  events: AuditedEvent[];
  deadLetters: DeadLetter[];
}

/**
 * One statement writes the whole batch, so it commits atomically in one round trip, without
 * BEGIN and COMMIT. Each table's rows arrive as one JSON array parsed once by PostgreSQL (cheaper
 * on both sides than one array parameter per column: no per-element escaping, jsonb values are
 * not parsed twice, and raw bodies travel as the envelope's base64 and are decoded by `decode`).
 *
 * `inserted` holds the events new to the log and the raw webhook that introduced them. The
 * statement's snapshot predates its own inserts, so the last SELECT finds the owner of every event
 * that was already stored (a provider's duplicate, or an earlier attempt at this very raw webhook
 * that crashed before publishing) and of no event inserted now.
 */
const RECORD_BATCH: PreparedStatement = {
  name: 'normalizer_record_batch',
  text: `
WITH raws AS (
  INSERT INTO raw_webhooks (id, source_id, business_id, provider, environment, received_at,
    content_type, headers, body, body_sha256, outcome, dead_letter)
  SELECT (r->>'id')::uuid, r->>'sourceId', r->>'businessId', r->>'provider', r->>'environment',
    (r->>'receivedAt')::timestamptz, r->>'contentType', r->'headers', decode(r->>'body', 'base64'),
    r->>'bodySha256', r->>'outcome', r->'deadLetter'
  FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT DO NOTHING
), dead AS (
  INSERT INTO dead_letters (id, raw_id, source_id, reason_code, message, issues, dead_letter,
    failed_at)
  SELECT (d->>'id')::uuid, d->>'rawId', d->>'sourceId', d->'reason'->>'code',
    d->'reason'->>'message', d->'issues', d, (d->>'failedAt')::timestamptz
  FROM jsonb_array_elements($2::jsonb) AS d
  ON CONFLICT DO NOTHING
), events AS (
  SELECT (e->'event'->>'id')::uuid AS id, (e->>'rawId')::uuid AS raw_id,
    e->>'messageId' AS message_id, e->'event' AS event
  FROM jsonb_array_elements($3::jsonb) AS e
), inserted AS (
  INSERT INTO canonical_events (id, raw_id, type, topic, business_id, message_id, occurred_at,
    event)
  SELECT id, raw_id, event->>'type', event->>'topic', event->>'businessid', message_id,
    (event->>'time')::timestamptz, event
  FROM events
  ON CONFLICT (id) DO NOTHING
  RETURNING id, raw_id
)
SELECT id, raw_id FROM inserted
UNION ALL
SELECT id, raw_id FROM canonical_events
WHERE id IN (SELECT id FROM events EXCEPT SELECT id FROM inserted)`,
};

/**
 * Writes one consumer batch to the append-only audit log in a single statement (one transaction,
 * one round trip): raw webhooks, canonical events and dead letters, each with ON CONFLICT DO
 * NOTHING.
 */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records the batch and returns the events to publish: those whose stored row was introduced by
   * the same raw webhook — new now, or stored by an earlier attempt at this very raw message that
   * crashed before publishing. An event a different raw webhook introduced (a provider's duplicate)
   * is not returned.
   */
  async record(batch: AuditBatch): Promise<AuditedEvent[]> {
    if (batch.raws.length === 0 && batch.events.length === 0 && batch.deadLetters.length === 0) {
      return [];
    }
    // Prepared once per connection: planning it costs about as much as running it for one webhook.
    const owners = await runPrepared<{ id: string; raw_id: string }>(
      this.dataSource,
      RECORD_BATCH,
      [rawsJson(batch.raws), JSON.stringify(batch.deadLetters), eventsJson(batch.events)],
    );
    if (batch.events.length === 0) return [];
    const ownerOf = new Map(owners.map((o) => [o.id, o.raw_id]));
    // An event another transaction stored after this statement began (another consumer at the same
    // time) is in neither set: it is read again, now committed.
    const unresolved = batch.events.filter((x) => !ownerOf.has(x.event.id));
    if (unresolved.length > 0) {
      const late: { id: string; raw_id: string }[] = await this.dataSource.query(
        `SELECT id, raw_id FROM canonical_events WHERE id = ANY($1::uuid[])`,
        [unresolved.map((x) => x.event.id)],
      );
      for (const o of late) ownerOf.set(o.id, o.raw_id);
    }
    const published = new Set<string>();
    return batch.events.filter((x) => {
      if (ownerOf.get(x.event.id) !== x.rawId || published.has(x.event.id)) return false;
      published.add(x.event.id);
      return true;
    });
  }
}

function rawsJson(raws: AuditBatch['raws']): string {
  return JSON.stringify(
    raws.map(({ envelope, outcome, reason }) => ({
      id: envelope.id,
      sourceId: envelope.sourceId,
      businessId: envelope.businessId,
      provider: envelope.provider,
      environment: envelope.environment,
      receivedAt: envelope.receivedAt,
      contentType: envelope.contentType,
      headers: envelope.headers,
      // Base64 as in the envelope (validated there); PostgreSQL decodes it to the exact bytes.
      body: envelope.body,
      bodySha256: envelope.bodySha256,
      outcome,
      // Left out (SQL NULL) when the webhook was normalized.
      deadLetter: reason ?? undefined,
    })),
  );
}

/** The events' rows as one JSON array, embedding each event's JSON text as it is. */
function eventsJson(events: readonly AuditedEvent[]): string {
  let json = '[';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (i > 0) json += ',';
    json += `{"rawId":${JSON.stringify(e.rawId)},"messageId":${JSON.stringify(e.messageId)},"event":${e.json}}`;
  }
  return `${json}]`;
}
