import { Injectable } from '@nestjs/common';
import { AppError } from '@switchboard/service-kit';
import type { Principal } from '../auth/principal';
import { BusinessesService } from '../businesses/businesses.service';
import { isUuid, rawBodyView } from '../common/audit-views';
import { CursorCodec } from '../common/cursor';
import { eventTypeMatch } from '../common/event-type-filter';
import {
  type EventList,
  type EventQuery,
  RAW_WEBHOOK_EVENTS_MAX,
  type RawWebhookView,
  searchTerms,
} from './events.schemas';
import { EventsRepository } from './events.repository';

export class EventNotFoundError extends AppError {
  constructor(eventId: string) {
    super('event_not_found', `No event ${eventId} in this business`, 404, false);
  }
}

/** A business's inbound canonical events and the raw webhooks they came from (the audit log). */
@Injectable()
export class EventsService {
  constructor(
    private readonly businesses: BusinessesService,
    private readonly events: EventsRepository,
    private readonly cursors: CursorCodec,
  ) {}

  async list(principal: Principal, businessId: string, query: EventQuery): Promise<EventList> {
    await this.businesses.access(principal, businessId);
    const { type, prefix } = eventTypeMatch(query.type);
    const rows = await this.events.list(businessId, {
      topic: query.topic,
      type,
      typePrefix: prefix,
      messageId: query.messageId,
      eventId: query.eventId,
      phone: query.phone,
      q: query.q === undefined ? undefined : searchTerms(query.q),
      since: query.since,
      until: query.until,
      limit: query.limit,
      after: query.cursor === undefined ? undefined : this.afterCursor(query.cursor),
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => r.event),
      nextCursor:
        rows.length > query.limit && last
          ? this.cursors.encode('events', last.occurredAt, last.id)
          : null,
    };
  }

  /** Where the previous page ended; audit log ids are UUIDs. */
  private afterCursor(cursor: string): { occurredAt: string; id: string } {
    const { at, id } = this.cursors.decode('events', cursor, isUuid);
    return { occurredAt: at, id };
  }

  /** The raw webhook an event came from, as received, beside the events it became. */
  async rawWebhook(
    principal: Principal,
    businessId: string,
    eventId: string,
  ): Promise<RawWebhookView> {
    await this.businesses.access(principal, businessId);
    const raw = isUuid(eventId) ? await this.events.rawWebhookOfEvent(businessId, eventId) : null;
    if (!raw) throw new EventNotFoundError(eventId);
    const events = await this.events.eventsOfRaw(businessId, raw.id, RAW_WEBHOOK_EVENTS_MAX);
    return {
      id: raw.id,
      sourceId: raw.sourceId,
      provider: raw.provider,
      environment: raw.environment,
      receivedAt: raw.receivedAt.toISOString(),
      contentType: raw.contentType,
      ...rawBodyView(raw.body),
      outcome: raw.outcome,
      events,
    };
  }
}
