import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { BusinessesService } from '../businesses/businesses.service';
import { CursorCodec } from '../common/cursor';
import { DeliveryEntity } from '../delivery-log/delivery-log.entities';
import { DeadLetterNotFoundError } from './dead-letters.errors';
import type {
  OutboundDeadLetter,
  OutboundDeadLetterList,
  OutboundDeadLetterQuery,
} from './dead-letters.schemas';

/**
 * A business's outbound dead letters: deliveries of the delivery log whose latest attempt was
 * dead-lettered (retries exhausted), read like the inbound ones (same fields where they mean the
 * same, same paging). They are recovered with POST …/webhooks/{topic}/recover, which leaves them
 * here until a new attempt is recorded.
 */
@Injectable()
export class OutboundDeadLettersService {
  constructor(
    private readonly businesses: BusinessesService,
    private readonly dataSource: DataSource,
    private readonly cursors: CursorCodec,
  ) {}

  async list(
    principal: Principal,
    businessId: string,
    query: OutboundDeadLetterQuery,
  ): Promise<OutboundDeadLetterList> {
    await this.businesses.access(principal, businessId);
    const q = this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .where('d.business_id = :businessId', { businessId })
      .andWhere(`d.outcome = 'dead_lettered'`)
      .orderBy('d.last_attempt_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .take(query.limit + 1);
    if (query.topic) q.andWhere('d.topic = :topic', { topic: query.topic });
    if (query.since) q.andWhere('d.last_attempt_at >= :since', { since: query.since });
    if (query.until) q.andWhere('d.last_attempt_at < :until', { until: query.until });
    if (query.cursor !== undefined) {
      const after = this.cursors.decode(
        'outbound-dead-letters',
        query.cursor,
        (id) => id.length > 0,
      );
      q.andWhere('(d.last_attempt_at, d.id) < (:at, :id)', {
        at: new Date(after.at),
        id: after.id,
      });
    }
    const rows = await q.getMany();
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(deadLetterView),
      nextCursor:
        rows.length > query.limit && last
          ? this.cursors.encode('outbound-dead-letters', last.lastAttemptAt, last.id)
          : null,
    };
  }

  async get(principal: Principal, businessId: string, id: string): Promise<OutboundDeadLetter> {
    await this.businesses.access(principal, businessId);
    const delivery = await this.dataSource
      .getRepository(DeliveryEntity)
      .findOneBy({ businessId, id, outcome: 'dead_lettered' });
    if (!delivery) throw new DeadLetterNotFoundError(id);
    return deadLetterView(delivery);
  }
}

function deadLetterView(d: DeliveryEntity): OutboundDeadLetter {
  return {
    id: d.id,
    reason: {
      code: 'delivery_failed',
      message: d.error ?? (d.statusCode === null ? 'failed' : `HTTP ${d.statusCode}`),
    },
    failedAt: d.lastAttemptAt.toISOString(),
    subscriptionId: d.subscriptionId,
    topic: d.topic,
    eventId: d.eventId,
    eventType: d.eventType,
    attemptCount: d.attempts,
    statusCode: d.statusCode,
    firstAttemptAt: d.firstAttemptAt.toISOString(),
  };
}
