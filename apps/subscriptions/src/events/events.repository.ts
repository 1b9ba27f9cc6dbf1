import { Injectable } from '@nestjs/common';
import type { CloudEvent, SubscriptionTopic } from '@switchboard/contracts';
import { AppError } from '@switchboard/service-kit';
import { DataSource } from 'typeorm';

export interface EventFilter {
  topic?: SubscriptionTopic;
  /** An exact type, or a family prefix (`platform.campaign.`) when `typePrefix` is set. */
  type?: string;
  typePrefix?: boolean;
  /** The provider's message id (wamid), exactly. */
  messageId?: string;
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

/** The normalizer's audit log has not been created in this database (yet). */
export class EventsUnavailableError extends AppError {
  constructor() {
    super('events_unavailable', 'The inbound event log is not available', 503, true, {
      'retry-after': '30',
    });
  }
}

/**
 * Reads the normalizer's inbound audit log (`normalizer.canonical_events`), read-only. The
 * normalizer owns the table; this service only queries it, by business and time.
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
    if (filter.since) add((n) => `occurred_at >= $${n}`, filter.since);
    if (filter.until) add((n) => `occurred_at < $${n}`, filter.until);
    if (filter.after) {
      params.push(filter.after.occurredAt, filter.after.id);
      where.push(
        `(occurred_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(filter.limit + 1);
    try {
      const rows: { id: string; occurred_at: Date; event: CloudEvent }[] =
        await this.dataSource.query(
          `SELECT id, occurred_at, event FROM normalizer.canonical_events
         WHERE ${where.join(' AND ')}
         ORDER BY occurred_at DESC, id DESC
         LIMIT $${params.length}`,
          params,
        );
      return rows.map((r) => ({ id: r.id, occurredAt: r.occurred_at, event: r.event }));
    } catch (err) {
      if ((err as { driverError?: { code?: string } }).driverError?.code === '42P01') {
        throw new EventsUnavailableError();
      }
      throw err;
    }
  }
}
