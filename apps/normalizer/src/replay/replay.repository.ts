import { Injectable } from '@nestjs/common';
import type {
  DeadLetter,
  RawInboundEnvelope,
  ReplayRawWebhookCommand,
} from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import type { AuditedEvent } from '../pipeline/audit-log.repository';

/** `published` when every item of the raw webhook became events, as `RawOutcome` says otherwise. */
export type ReplayOutcome = 'published' | 'partial' | 'dead_lettered';

export interface ReplayRecord {
  command: ReplayRawWebhookCommand;
  outcome: ReplayOutcome;
  events: readonly AuditedEvent[];
  deadLetters: readonly DeadLetter[];
  replayedAt: string;
}

export interface RecordedReplay {
  /** False when this command's replay was already recorded (the command came again). */
  first: boolean;
  /** Ids of the events and dead letters new to the log now. */
  newEvents: ReadonlySet<string>;
  newDeadLetters: ReadonlySet<string>;
}

/**
 * One statement records a replay: the dead letters and events it gave (ON CONFLICT DO NOTHING, as
 * the raw topic's path does: ids are deterministic, so what is already stored is kept as it is)
 * and the replay itself, with how many events were new, under the command's id.
 */
const RECORD_REPLAY = `
WITH dead AS (
  INSERT INTO dead_letters (id, raw_id, source_id, reason_code, message, issues, dead_letter,
    failed_at)
  SELECT (d->>'id')::uuid, d->>'rawId', d->>'sourceId', d->'reason'->>'code',
    d->'reason'->>'message', d->'issues', d, (d->>'failedAt')::timestamptz
  FROM jsonb_array_elements($2::jsonb) AS d
  ON CONFLICT DO NOTHING
  RETURNING id
), inserted AS (
  INSERT INTO canonical_events (id, raw_id, type, topic, business_id, message_id, occurred_at,
    event)
  SELECT (e->'event'->>'id')::uuid, (e->>'rawId')::uuid, e->'event'->>'type',
    e->'event'->>'topic', e->'event'->>'businessid', e->>'messageId',
    (e->'event'->>'time')::timestamptz, e->'event'
  FROM jsonb_array_elements($3::jsonb) AS e
  ON CONFLICT (id) DO NOTHING
  RETURNING id
), replay AS (
  INSERT INTO replays (id, request_id, raw_id, outcome, events_produced, events_published,
    dead_letters, requested_at, replayed_at)
  SELECT ($1::jsonb->>'id')::uuid, ($1::jsonb->>'requestId')::uuid, ($1::jsonb->>'rawId')::uuid,
    $1::jsonb->>'outcome', ($1::jsonb->>'eventsProduced')::int, (SELECT count(*) FROM inserted),
    ($1::jsonb->>'deadLetters')::int, ($1::jsonb->>'requestedAt')::timestamptz,
    ($1::jsonb->>'replayedAt')::timestamptz
  ON CONFLICT (id) DO NOTHING
  RETURNING id
)
SELECT (SELECT count(*) FROM replay)::int AS first,
  array(SELECT id::text FROM inserted) AS new_events,
  array(SELECT id::text FROM dead) AS new_dead_letters`;

/** Reads raw webhooks back from the audit log and records replays in it (append-only). */
@Injectable()
export class ReplayRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The raw webhook as the envelope ingress sent (the route is the provider's, its default). */
  async findRaw(rawId: string): Promise<RawInboundEnvelope | null> {
    const rows: {
      id: string;
      source_id: string;
      business_id: string;
      provider: RawInboundEnvelope['provider'];
      environment: RawInboundEnvelope['environment'];
      received_at: Date;
      content_type: string;
      headers: Record<string, string>;
      body: Buffer;
      body_sha256: string;
    }[] = await this.dataSource.query(
      `SELECT id, source_id, business_id, provider, environment, received_at, content_type,
         headers, body, body_sha256
       FROM raw_webhooks WHERE id = $1`,
      [rawId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      sourceId: row.source_id,
      provider: row.provider,
      businessId: row.business_id,
      environment: row.environment,
      route: row.provider,
      receivedAt: row.received_at.toISOString(),
      contentType: row.content_type,
      headers: row.headers,
      body: row.body.toString('base64'),
      bodySha256: row.body_sha256,
    };
  }

  async record(replay: ReplayRecord): Promise<RecordedReplay> {
    const { command } = replay;
    const rows: { first: number; new_events: string[]; new_dead_letters: string[] }[] =
      await this.dataSource.query(RECORD_REPLAY, [
        JSON.stringify({
          id: command.id,
          requestId: command.requestId,
          rawId: command.rawId,
          outcome: replay.outcome,
          eventsProduced: replay.events.length,
          deadLetters: replay.deadLetters.length,
          requestedAt: command.issuedAt,
          replayedAt: replay.replayedAt,
        }),
        JSON.stringify(replay.deadLetters),
        JSON.stringify(
          replay.events.map((e) => ({ rawId: e.rawId, messageId: e.messageId, event: e.event })),
        ),
      ]);
    const row = rows[0]!;
    return {
      first: row.first === 1,
      newEvents: new Set(row.new_events),
      newDeadLetters: new Set(row.new_dead_letters),
    };
  }

  /** Of these events, the ids whose stored row this raw webhook introduced. */
  async ownedBy(rawId: string, eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM canonical_events WHERE id = ANY($1::uuid[]) AND raw_id = $2`,
      [eventIds, rawId],
    );
    return new Set(rows.map((r) => r.id));
  }
}
