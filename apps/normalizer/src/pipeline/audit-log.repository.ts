import { Injectable } from '@nestjs/common';
import type { CloudEvent, DeadLetter, RawInboundEnvelope } from '@switchboard/contracts';
import { rawBodyBytes } from '@switchboard/contracts';
import { DataSource } from 'typeorm';

export interface AuditedEvent {
  event: CloudEvent;
  /** The raw webhook this event came from in this batch. */
  rawId: string;
  messageId: string | null;
}

export interface AuditBatch {
  raws: { envelope: RawInboundEnvelope; deadLetter: DeadLetter | null }[];
  events: AuditedEvent[];
  deadLetters: DeadLetter[];
}

/**
 * Writes one consumer batch to the append-only audit log in a single transaction: raw webhooks,
 * canonical events and dead letters, each as one multi-row insert with ON CONFLICT DO NOTHING.
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
    return this.dataSource.transaction(async (manager) => {
      if (batch.raws.length > 0) {
        const r = batch.raws;
        await manager.query(
          `INSERT INTO raw_webhooks (id, source_id, business_id, provider, environment, received_at,
             content_type, headers, body, body_sha256, outcome, dead_letter)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
             $6::timestamptz[], $7::text[], $8::jsonb[], $9::bytea[], $10::text[], $11::text[],
             $12::jsonb[])
           ON CONFLICT DO NOTHING`,
          [
            r.map((x) => x.envelope.id),
            r.map((x) => x.envelope.sourceId),
            r.map((x) => x.envelope.businessId),
            r.map((x) => x.envelope.provider),
            r.map((x) => x.envelope.environment),
            r.map((x) => x.envelope.receivedAt),
            r.map((x) => x.envelope.contentType),
            r.map((x) => JSON.stringify(x.envelope.headers)),
            r.map((x) => rawBodyBytes(x.envelope)),
            r.map((x) => x.envelope.bodySha256),
            r.map((x) => (x.deadLetter ? 'dead_lettered' : 'normalized')),
            r.map((x) => (x.deadLetter ? JSON.stringify(x.deadLetter.reason) : null)),
          ],
        );
      }
      if (batch.deadLetters.length > 0) {
        const d = batch.deadLetters;
        await manager.query(
          `INSERT INTO dead_letters (id, raw_id, source_id, reason_code, message, issues, dead_letter,
             failed_at)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
             $6::jsonb[], $7::jsonb[], $8::timestamptz[])
           ON CONFLICT DO NOTHING`,
          [
            d.map((x) => x.id),
            d.map((x) => x.rawId),
            d.map((x) => x.sourceId),
            d.map((x) => x.reason.code),
            d.map((x) => x.reason.message),
            d.map((x) => JSON.stringify(x.issues)),
            d.map((x) => JSON.stringify(x)),
            d.map((x) => x.failedAt),
          ],
        );
      }
      if (batch.events.length === 0) return [];
      const e = batch.events;
      await manager.query(
        `INSERT INTO canonical_events (id, raw_id, type, topic, business_id, message_id, occurred_at,
           event)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
           $6::text[], $7::timestamptz[], $8::jsonb[])
         ON CONFLICT (id) DO NOTHING`,
        [
          e.map((x) => x.event.id),
          e.map((x) => x.rawId),
          e.map((x) => x.event.type),
          e.map((x) => x.event.topic),
          e.map((x) => x.event.businessid),
          e.map((x) => x.messageId),
          e.map((x) => x.event.time),
          e.map((x) => JSON.stringify(x.event)),
        ],
      );
      const owners: { id: string; raw_id: string }[] = await manager.query(
        `SELECT id, raw_id FROM canonical_events WHERE id = ANY($1::uuid[])`,
        [e.map((x) => x.event.id)],
      );
      const ownerOf = new Map(owners.map((o) => [o.id, o.raw_id]));
      const published = new Set<string>();
      return e.filter((x) => {
        if (ownerOf.get(x.event.id) !== x.rawId || published.has(x.event.id)) return false;
        published.add(x.event.id);
        return true;
      });
    });
  }
}
