import { Injectable, Logger } from '@nestjs/common';
import type { ReplayRawWebhookCommand } from '@switchboard/contracts';
import { InjectConfig } from '@switchboard/service-kit';
import type { NormalizerConfig } from '../config/normalizer.config';
import { EventPublisher } from '../pipeline/event.publisher';
import { normalizeEnvelope } from '../pipeline/normalize-envelope';
import { type ReplayOutcome, ReplayRepository } from './replay.repository';

export interface ReplayResult {
  outcome: ReplayOutcome | 'raw_not_found';
  published: number;
}

const outcomes = {
  normalized: 'published',
  partial: 'partial',
  dead_lettered: 'dead_lettered',
} as const satisfies Record<string, ReplayOutcome>;

/**
 * The normalizer's use case for a replay command: read the raw webhook from the audit log, map it
 * with the current mappers and limits under the same raw id, record the replay with the events
 * and dead letters it gave, then publish only what is new to the log. Idempotent: a replay of a
 * webhook whose events are stored publishes nothing; a command consumed again (after a crash
 * before its offset was committed) publishes again exactly what its first consumption introduced,
 * at least once as the raw topic's path does, and is recorded once.
 */
@Injectable()
export class ReplayService {
  private readonly logger = new Logger(ReplayService.name);

  constructor(
    private readonly replays: ReplayRepository,
    private readonly publisher: EventPublisher,
    @InjectConfig() private readonly config: NormalizerConfig,
  ) {}

  async replay(command: ReplayRawWebhookCommand): Promise<ReplayResult> {
    const envelope = await this.replays.findRaw(command.rawId);
    // The API sends only raw ids its business owns; anything else is refused, never replayed.
    if (envelope === null || envelope.businessId !== command.businessId) {
      this.logger.warn(
        { commandId: command.id, rawId: command.rawId, businessId: command.businessId },
        'Replay refused: no such raw webhook in this business',
      );
      return { outcome: 'raw_not_found', published: 0 };
    }
    const replayedAt = new Date().toISOString();
    const mapped = normalizeEnvelope(envelope, this.config.MAX_EVENTS_PER_WEBHOOK, replayedAt);
    const outcome = outcomes[mapped.raw.outcome];
    const recorded = await this.replays.record({
      command,
      outcome,
      events: mapped.events,
      deadLetters: mapped.deadLetters,
      replayedAt,
    });
    const events = mapped.events.filter((e) => recorded.newEvents.has(e.event.id));
    const deadLetters = mapped.deadLetters.filter((d) => recorded.newDeadLetters.has(d.id));
    await this.publisher.publish(events, deadLetters);
    return { outcome, published: events.length };
  }
}
