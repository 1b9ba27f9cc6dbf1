import { Injectable } from '@nestjs/common';
import type { SubscriptionTopic } from '@switchboard/contracts';
import type { Principal } from '../auth/principal';
import { BusinessesService } from '../businesses/businesses.service';
import { WebhookNotFoundError } from '../webhooks/webhooks.errors';
import { SubscriptionsRepository } from '../webhooks/subscriptions.repository';
import { type AttemptFigures, HealthStatsRepository } from './health-stats.repository';
import {
  type StateTransition,
  type StatsWindow,
  type StatsWindowName,
  statsWindows,
  type WebhookHealthStats,
} from './health-stats.schemas';

const TIMELINE_LIMIT = 50;
const SNIPPET_LENGTH = 500;

/**
 * The health page's aggregate: success rate and p50/p99 latency over 1 h, 24 h and 7 d, each cut
 * into buckets for charts, and a state timeline, all from the recorded attempts.
 */
@Injectable()
export class HealthStatsService {
  constructor(
    private readonly businesses: BusinessesService,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly repository: HealthStatsRepository,
  ) {}

  async stats(
    principal: Principal,
    businessId: string,
    topic: SubscriptionTopic,
    now = new Date(),
  ): Promise<WebhookHealthStats> {
    await this.businesses.access(principal, businessId);
    const subscription = await this.subscriptions.findByTopic(businessId, topic);
    if (!subscription) throw new WebhookNotFoundError(topic);
    const names = Object.keys(statsWindows) as StatsWindowName[];
    const weekAgo = new Date(now.getTime() - statsWindows['7d'].spanMs);
    const [windows, changes, consecutiveFailures, announcement, lastFailure] = await Promise.all([
      Promise.all(names.map((name) => this.window(subscription.id, name, now))),
      this.repository.outcomeChanges(subscription.id, weekAgo, TIMELINE_LIMIT),
      this.repository.consecutiveFailures(subscription.id),
      this.repository.announcement(subscription.id),
      this.repository.lastFailure(subscription.id, SNIPPET_LENGTH),
    ]);
    const timeline: StateTransition[] = changes.map((change) => ({
      at: change.at.toISOString(),
      state: change.failed ? 'failing' : change.hadPrevious ? 'recovered' : 'active',
      source: 'attempts',
      detail: change.failed
        ? [change.statusCode === null ? null : `HTTP ${change.statusCode}`, change.error]
            .filter((x) => x !== null)
            .join(': ') || null
        : null,
    }));
    if (announcement && announcement.changedAt.getTime() >= weekAgo.getTime()) {
      timeline.push({
        at: announcement.changedAt.toISOString(),
        state: announcement.status === 'healthy' ? 'recovered' : announcement.status,
        source: 'announcement',
        detail: announcement.reason,
      });
      timeline.sort((x, y) => x.at.localeCompare(y.at));
    }
    return {
      subscriptionId: subscription.id,
      topic,
      state: subscription.state,
      generatedAt: now.toISOString(),
      windows: {
        '1h': windows[0]!,
        '24h': windows[1]!,
        '7d': windows[2]!,
      },
      consecutiveFailures,
      lastError:
        lastFailure === null
          ? null
          : {
              at: lastFailure.at.toISOString(),
              statusCode: lastFailure.statusCode,
              error: lastFailure.error,
              responseSnippet: lastFailure.responseSnippet,
            },
      timeline: timeline.slice(-TIMELINE_LIMIT),
    };
  }

  private async window(
    subscriptionId: string,
    name: StatsWindowName,
    now: Date,
  ): Promise<StatsWindow> {
    const { spanMs, bucketMs } = statsWindows[name];
    const from = new Date(now.getTime() - spanMs);
    const count = Math.ceil(spanMs / bucketMs);
    const { total, buckets } = await this.repository.bucketed(
      subscriptionId,
      from,
      bucketMs,
      count,
    );
    return {
      from: from.toISOString(),
      bucketSeconds: bucketMs / 1000,
      ...figuresView(total),
      buckets: Array.from({ length: count }, (_, i) => ({
        start: new Date(from.getTime() + i * bucketMs).toISOString(),
        ...figuresView(buckets.get(i)),
      })),
    };
  }
}

function figuresView(f: AttemptFigures | undefined) {
  const attempts = f?.attempts ?? 0;
  const succeeded = f?.succeeded ?? 0;
  return {
    attempts,
    succeeded,
    failed: attempts - succeeded,
    successRate: attempts === 0 ? null : succeeded / attempts,
    p50LatencyMs: f?.p50LatencyMs ?? null,
    p99LatencyMs: f?.p99LatencyMs ?? null,
  };
}
