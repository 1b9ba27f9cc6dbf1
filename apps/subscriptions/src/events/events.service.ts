import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { BusinessesService } from '../businesses/businesses.service';
import { InvalidRequestError } from '../common/validation';
import type { EventList, EventQuery } from './events.schemas';
import { EventsRepository, type StoredEvent } from './events.repository';

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
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => r.event),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }
}

function encodeCursor(event: StoredEvent): string {
  return Buffer.from(JSON.stringify([event.occurredAt.toISOString(), event.id])).toString(
    'base64url',
  );
}

function decodeCursor(cursor: string): { occurredAt: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof at === 'string' &&
      !Number.isNaN(Date.parse(at)) &&
      typeof id === 'string' &&
      /^[0-9a-f-]{36}$/i.test(id)
    ) {
      return { occurredAt: at, id };
    }
  } catch {
    // fall through
  }
  throw new InvalidRequestError('cursor: not a cursor this API gave', [
    { path: 'cursor', message: 'invalid' },
  ]);
}
