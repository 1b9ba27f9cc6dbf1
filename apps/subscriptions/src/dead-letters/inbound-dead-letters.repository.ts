import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryAuditViews } from '../common/audit-views';
import { inboundUnavailable } from './dead-letters.errors';

export interface InboundDeadLetterFilter {
  since?: string;
  until?: string;
  provider?: string;
  reason?: string;
  limit: number;
  after?: { at: string; id: string };
}

export interface InboundDeadLetterRow {
  id: string;
  raw_id: string;
  source_id: string;
  provider: string;
  received_at: Date;
  reason_code: string;
  message: string;
  pointer: string | null;
  failed_at: Date;
  replay_request_id: string | null;
  replay_outcome: string | null;
  events_produced: number | null;
  events_published: number | null;
  replay_dead_letters: number | null;
  replayed_at: Date | null;
}

export interface InboundDeadLetterDetailRow extends InboundDeadLetterRow {
  issues: { path: (string | number)[]; message: string; code: string }[];
  item: unknown;
  content_type: string;
  body: Buffer;
}

/** Each dead letter with its raw webhook's latest replay, from the audit views. */
const SELECT = `
SELECT d.id, d.raw_id, d.source_id, d.provider, d.received_at, d.reason_code, d.message,
  d.pointer, d.failed_at, p.request_id AS replay_request_id, p.outcome AS replay_outcome,
  p.events_produced, p.events_published, p.dead_letters AS replay_dead_letters, p.replayed_at
FROM audit.dead_letters_v1 d
LEFT JOIN LATERAL (
  SELECT * FROM audit.replays_v1 r WHERE r.raw_id = d.raw_id
  ORDER BY r.replayed_at DESC, r.id DESC LIMIT 1
) p ON true`;

/** Reads inbound dead letters and their replays through the normalizer's audit views. */
@Injectable()
export class InboundDeadLettersRepository {
  constructor(private readonly dataSource: DataSource) {}

  list(businessId: string, filter: InboundDeadLetterFilter): Promise<InboundDeadLetterRow[]> {
    const where = ['d.business_id = $1'];
    const params: unknown[] = [businessId];
    const add = (clause: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (filter.since) add((n) => `d.failed_at >= $${n}`, filter.since);
    if (filter.until) add((n) => `d.failed_at < $${n}`, filter.until);
    if (filter.provider) add((n) => `d.provider = $${n}`, filter.provider);
    if (filter.reason) add((n) => `d.reason_code = $${n}`, filter.reason);
    if (filter.after) {
      params.push(filter.after.at, filter.after.id);
      where.push(
        `(d.failed_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(filter.limit + 1);
    return queryAuditViews(
      this.dataSource,
      `${SELECT} WHERE ${where.join(' AND ')}
       ORDER BY d.failed_at DESC, d.id DESC LIMIT $${params.length}`,
      params,
      inboundUnavailable,
    );
  }

  async find(businessId: string, id: string): Promise<InboundDeadLetterDetailRow | null> {
    const rows = await queryAuditViews<InboundDeadLetterDetailRow>(
      this.dataSource,
      `SELECT x.*, d.issues, d.item, w.content_type, w.body
       FROM (${SELECT} WHERE d.business_id = $1 AND d.id = $2::uuid) x
       JOIN audit.dead_letters_v1 d ON d.id = x.id
       JOIN audit.raw_webhooks_v1 w ON w.id = x.raw_id`,
      [businessId, id],
      inboundUnavailable,
    );
    return rows[0] ?? null;
  }

  /** Distinct raw webhooks dead-lettered in [since, until), at most `limit`. */
  async rawIdsDeadLettered(
    businessId: string,
    since: string,
    until: string,
    limit: number,
  ): Promise<string[]> {
    const rows = await queryAuditViews<{ raw_id: string }>(
      this.dataSource,
      `SELECT DISTINCT raw_id FROM audit.dead_letters_v1
       WHERE business_id = $1 AND failed_at >= $2 AND failed_at < $3 LIMIT $4`,
      [businessId, since, until, limit],
      inboundUnavailable,
    );
    return rows.map((r) => r.raw_id);
  }
}
