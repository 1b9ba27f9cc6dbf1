import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { NormalizerCommandsTopic, type ReplayRawWebhookCommand } from '@switchboard/contracts';
import { TopicPublisher } from '@switchboard/kafka';
import { errorMessage } from '@switchboard/service-kit';
import type { Principal } from '../auth/principal';
import { BusinessesService } from '../businesses/businesses.service';
import { isUuid, rawBodyView } from '../common/audit-views';
import { CursorCodec } from '../common/cursor';
import { InvalidRequestError } from '../common/validation';
import { CommandsUnavailableError } from '../delivery-log/delivery-log.errors';
import { DeadLetterNotFoundError } from './dead-letters.errors';
import {
  type InboundDeadLetter,
  type InboundDeadLetterDetail,
  type InboundDeadLetterList,
  type InboundDeadLetterQuery,
  REPLAY_MAX_RAW_WEBHOOKS,
  type ReplayAccepted,
  type ReplayRangeRequest,
} from './dead-letters.schemas';
import {
  type InboundDeadLetterRow,
  InboundDeadLettersRepository,
} from './inbound-dead-letters.repository';

/**
 * A business's inbound dead letters, read from the normalizer's audit views, and their replay: a
 * command per raw webhook on `switchboard.normalizer.commands.v1`, answered 202 once Kafka has
 * them. The normalizer records each replay's outcome in the audit log, where `lastReplay` is read.
 */
@Injectable()
export class InboundDeadLettersService {
  constructor(
    private readonly businesses: BusinessesService,
    private readonly deadLetters: InboundDeadLettersRepository,
    private readonly publisher: TopicPublisher,
    private readonly cursors: CursorCodec,
  ) {}

  async list(
    principal: Principal,
    businessId: string,
    query: InboundDeadLetterQuery,
  ): Promise<InboundDeadLetterList> {
    await this.businesses.access(principal, businessId);
    const rows = await this.deadLetters.list(businessId, {
      since: query.since,
      until: query.until,
      provider: query.provider,
      reason: query.reason,
      limit: query.limit,
      after:
        query.cursor === undefined
          ? undefined
          : this.cursors.decode('inbound-dead-letters', query.cursor, isUuid),
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(deadLetterView),
      nextCursor:
        rows.length > query.limit && last
          ? this.cursors.encode('inbound-dead-letters', last.failed_at, last.id)
          : null,
    };
  }

  async get(
    principal: Principal,
    businessId: string,
    id: string,
  ): Promise<InboundDeadLetterDetail> {
    await this.businesses.access(principal, businessId);
    const row = isUuid(id) ? await this.deadLetters.find(businessId, id) : null;
    if (!row) throw new DeadLetterNotFoundError(id);
    return {
      ...deadLetterView(row),
      issues: row.issues,
      item: row.item ?? null,
      contentType: row.content_type,
      ...rawBodyView(row.body),
    };
  }

  /** Replays the raw webhook of one dead letter. */
  async replayOne(principal: Principal, businessId: string, id: string): Promise<ReplayAccepted> {
    await this.businesses.access(principal, businessId);
    const row = isUuid(id) ? await this.deadLetters.find(businessId, id) : null;
    if (!row) throw new DeadLetterNotFoundError(id);
    return this.send(businessId, [row.raw_id]);
  }

  /** Replays every raw webhook dead-lettered in [since, until), at most the documented maximum. */
  async replayRange(
    principal: Principal,
    businessId: string,
    range: ReplayRangeRequest,
  ): Promise<ReplayAccepted> {
    await this.businesses.access(principal, businessId);
    if (Date.parse(range.since) >= Date.parse(range.until)) {
      throw new InvalidRequestError('until: must be after since', [
        { path: 'until', message: 'not after since' },
      ]);
    }
    const rawIds = await this.deadLetters.rawIdsDeadLettered(
      businessId,
      range.since,
      range.until,
      REPLAY_MAX_RAW_WEBHOOKS + 1,
    );
    if (rawIds.length > REPLAY_MAX_RAW_WEBHOOKS) {
      throw new InvalidRequestError(
        `since, until: more than ${REPLAY_MAX_RAW_WEBHOOKS} raw webhooks were dead-lettered in ` +
          'this range; replay at most that many per call (narrow the range)',
        [{ path: 'until', message: 'range too large' }],
      );
    }
    return this.send(businessId, rawIds);
  }

  private async send(businessId: string, rawIds: readonly string[]): Promise<ReplayAccepted> {
    const requestId = randomUUID();
    const issuedAt = new Date().toISOString();
    const records = rawIds.map((rawId) => {
      const value: ReplayRawWebhookCommand = {
        id: randomUUID(),
        type: 'replay',
        requestId,
        businessId,
        rawId,
        issuedAt,
      };
      return { topic: NormalizerCommandsTopic, value };
    });
    try {
      await this.publisher.publishAll(records);
    } catch (err) {
      throw new CommandsUnavailableError(errorMessage(err));
    }
    return { requestId, rawWebhooks: rawIds.length };
  }
}

function deadLetterView(row: InboundDeadLetterRow): InboundDeadLetter {
  return {
    id: row.id,
    reason: { code: row.reason_code, message: row.message },
    failedAt: row.failed_at.toISOString(),
    provider: row.provider as InboundDeadLetter['provider'],
    sourceId: row.source_id,
    rawWebhookId: row.raw_id,
    receivedAt: row.received_at.toISOString(),
    pointer: row.pointer,
    replayState: row.replayed_at === null ? 'never_replayed' : 'replayed',
    lastReplay:
      row.replayed_at === null
        ? null
        : {
            requestId: row.replay_request_id!,
            outcome: row.replay_outcome as 'published' | 'partial' | 'dead_lettered',
            eventsProduced: row.events_produced!,
            eventsPublished: row.events_published!,
            deadLetters: row.replay_dead_letters!,
            replayedAt: row.replayed_at.toISOString(),
          },
  };
}
