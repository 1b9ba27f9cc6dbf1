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
  /** Ids of the events and dead letters this replay introduced to the log. */
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
    if (row.first === 1) {
      return { newEvents: new Set(row.new_events), newDeadLetters: new Set(row.new_dead_letters) };
    }
    // The command came again: what its first consumption introduced, perhaps never published.
    const earlier = await this.introducedBy(
      command.id,
      replay.events.map((e) => e.event.id),
      replay.deadLetters.map((d) => d.id),
    );
    return { newEvents: earlier.events, newDeadLetters: earlier.deadLetters };
  }

  /**
   * What an earlier consumption of the same command introduced (its events and dead letters were
   * written in the replay's statement, so they carry the replay row's `recorded_at`): a command
   * consumed again after a crash publishes exactly that again, and nothing another run stored.
   */
  async introducedBy(
    commandId: string,
    eventIds: readonly string[],
    deadLetterIds: readonly string[],
  ): Promise<{ events: Set<string>; deadLetters: Set<string> }> {
    const rows: { kind: 'event' | 'dead_letter'; id: string }[] = await this.dataSource.query(
      `SELECT 'event' AS kind, e.id::text AS id FROM canonical_events e JOIN replays p
         ON p.id = $1 AND e.raw_id = p.raw_id AND e.recorded_at = p.recorded_at
       WHERE e.id = ANY($2::uuid[])
       UNION ALL
       SELECT 'dead_letter', d.id::text FROM dead_letters d JOIN replays p
         ON p.id = $1 AND d.raw_id = p.raw_id::text AND d.recorded_at = p.recorded_at
       WHERE d.id = ANY($3::uuid[])`,
      [commandId, eventIds, deadLetterIds],
    );
    return {
      events: new Set(rows.filter((r) => r.kind === 'event').map((r) => r.id)),
      deadLetters: new Set(rows.filter((r) => r.kind === 'dead_letter').map((r) => r.id)),
    };
  }
}
