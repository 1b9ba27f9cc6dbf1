import { Injectable } from '@nestjs/common';
import type { CloudEvent, SubscriptionTopic } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { queryAuditViews } from '../common/audit-views';

export interface EventFilter {
  topic?: SubscriptionTopic;
  /** An exact type, or a family prefix (`platform.campaign.`) when `typePrefix` is set. */
  type?: string;
  typePrefix?: boolean;
  /** The provider's message id (wamid), exactly. */
  messageId?: string;
  eventId?: string;
  /** The WhatsApp user's phone number (digits): sender, recipient or wa_id. */
  phone?: string;
  /** Any of event id (when a UUID), message id or phone number. */
  q?: { text: string; eventId: string | null; phone: string | null };
  since?: string;
  until?: string;
  limit: number;
  after?: { occurredAt: string; id: string };
}

export interface StoredEvent {
  id: string;
  occurredAt: Date;
  event: CloudEvent;
}

export interface StoredRawWebhook {
  id: string;
  sourceId: string;
  provider: string;
  environment: string;
  receivedAt: Date;
  contentType: string;
  body: Buffer;
  outcome: string;
}

const unavailable = { code: 'events_unavailable', what: 'inbound event log' };

/**
 * Reads the normalizer's inbound audit log through its read-only views `audit.events_v1` and
 * `audit.raw_webhooks_v1`, by business and time.
 */
@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(businessId: string, filter: EventFilter): Promise<StoredEvent[]> {
    const where = ['business_id = $1'];
    const params: unknown[] = [businessId];
    const add = (clause: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (filter.topic) add((n) => `topic = $${n}`, filter.topic);
    if (filter.type && filter.typePrefix) add((n) => `starts_with(type, $${n})`, filter.type);
    else if (filter.type) add((n) => `type = $${n}`, filter.type);
    if (filter.messageId) add((n) => `message_id = $${n}`, filter.messageId);
    if (filter.eventId) add((n) => `id = $${n}::uuid`, filter.eventId);
    if (filter.phone) add((n) => `contact_phone = $${n}`, filter.phone);
    if (filter.q) {
      const { text, eventId, phone } = filter.q;
      params.push(text, eventId, phone);
      const n = params.length;
      where.push(`(message_id = $${n - 2} OR id = $${n - 1}::uuid OR contact_phone = $${n}::text)`);
    }
    if (filter.since) add((n) => `occurred_at >= $${n}`, filter.since);
    if (filter.until) add((n) => `occurred_at < $${n}`, filter.until);
    if (filter.after) {
      params.push(filter.after.occurredAt, filter.after.id);
      where.push(
        `(occurred_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(filter.limit + 1);
    const rows = await queryAuditViews<{ id: string; occurred_at: Date; event: CloudEvent }>(
      this.dataSource,
      `SELECT id, occurred_at, event FROM audit.events_v1
       WHERE ${where.join(' AND ')}
       ORDER BY occurred_at DESC, id DESC
       LIMIT $${params.length}`,
      params,
      unavailable,
    );
    return rows.map((r) => ({ id: r.id, occurredAt: r.occurred_at, event: r.event }));
  }

  /** The raw webhook that introduced one of the business's events, if any. */
  async rawWebhookOfEvent(businessId: string, eventId: string): Promise<StoredRawWebhook | null> {
    const rows = await queryAuditViews<{
      id: string;
      source_id: string;
      provider: string;
      environment: string;
      received_at: Date;
      content_type: string;
      body: Buffer;
      outcome: string;
    }>(
      this.dataSource,
      `SELECT r.id, r.source_id, r.provider, r.environment, r.received_at, r.content_type, r.body,
         r.outcome
       FROM audit.events_v1 e JOIN audit.raw_webhooks_v1 r ON r.id = e.raw_id
       WHERE e.id = $1::uuid AND e.business_id = $2 AND r.business_id = $2`,
      [eventId, businessId],
      unavailable,
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      sourceId: r.source_id,
      provider: r.provider,
      environment: r.environment,
      receivedAt: r.received_at,
      contentType: r.content_type,
      body: r.body,
      outcome: r.outcome,
    };
  }

  /** The events a raw webhook introduced, in the order they happened (at most `limit`). */
  async eventsOfRaw(businessId: string, rawId: string, limit: number): Promise<CloudEvent[]> {
    const rows = await queryAuditViews<{ event: CloudEvent }>(
      this.dataSource,
      `SELECT event FROM audit.events_v1 WHERE raw_id = $1 AND business_id = $2
       ORDER BY occurred_at, id LIMIT $3`,
      [rawId, businessId, limit],
      unavailable,
    );
    return rows.map((r) => r.event);
  }
}
