import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { BusinessesService } from '../businesses/businesses.service';
import { decodeCursor, encodeCursor } from '../common/cursor';
import type { EventList, EventQuery } from './events.schemas';
import { EventsRepository } from './events.repository';

/** A business's inbound canonical events, from the normalizer's audit log. */
@Injectable()
export class EventsService {
  constructor(
    private readonly businesses: BusinessesService,
    private readonly events: EventsRepository,
  ) {}

  async list(principal: Principal, businessId: string, query: EventQuery): Promise<EventList> {
    await this.businesses.access(principal, businessId);
    const family = query.type?.endsWith('.*') ?? false;
    const rows = await this.events.list(businessId, {
      topic: query.topic,
      type: family ? query.type!.slice(0, -1) : query.type,
      typePrefix: family,
      messageId: query.messageId,
      since: query.since,
      until: query.until,
      limit: query.limit,
      after: query.cursor === undefined ? undefined : afterCursor(query.cursor),
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => r.event),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.occurredAt, last.id) : null,
    };
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the previous page ended; audit log ids are UUIDs. */
function afterCursor(cursor: string): { occurredAt: string; id: string } {
  const { at, id } = decodeCursor(cursor, (value) => uuid.test(value));
  return { occurredAt: at, id };
}
