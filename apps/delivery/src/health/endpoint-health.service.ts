import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { SubscriptionRecord } from '@switchboard/contracts';
import { errorMessage, InjectConfig } from '@switchboard/service-kit';
import type { DeliveryConfig } from '../config/delivery.config';
import { SubscriptionRegistry } from '../subscriptions/subscription-registry';
import {
  type Announcement,
  type EndpointHealth,
  HEALTHY,
  type HealthChange,
  type HealthObservation,
  type HealthPolicy,
  observeHealth,
} from './endpoint-health';
import { HealthEventPublisher } from './health-event.publisher';
import { SubscriptionHealthRepository } from './subscription-health.repository';

interface Observed {
  subscription: SubscriptionRecord;
  observations: { observation: HealthObservation; at: Date }[];
}

/**
 * Keeps each endpoint's health from the attempts made to it. Attempts only note what they saw,
 * in memory; every `HEALTH_FLUSH_INTERVAL_MS` the observations of all endpoints are applied to
 * their stored health in one transaction (rows locked, so instances count every failure once),
 * and only then are the transitions announced (`subscription.failing`, `.disabled`,
 * `.recovered`) and a disabled subscription's deliveries stopped. A success to an endpoint known
 * healthy costs nothing at all.
 */
@Injectable()
export class EndpointHealthService implements OnModuleInit {
  private readonly logger = new Logger(EndpointHealthService.name);
  private readonly policy: HealthPolicy;
  private readonly intervalMs: number;
  /** Subscriptions whose stored health is active without failures. */
  private readonly knownHealthy = new Set<string>();
  /** Observations not stored yet, per subscription. */
  private pending = new Map<string, Observed>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repository: SubscriptionHealthRepository,
    private readonly registry: SubscriptionRegistry,
    private readonly publisher: HealthEventPublisher,
    @InjectConfig() config: DeliveryConfig,
  ) {
    this.policy = {
      failingAfter: config.FAILING_AFTER_FAILURES,
      disableAfterMs: config.DISABLE_AFTER_SECONDS * 1000,
    };
    this.intervalMs = config.HEALTH_FLUSH_INTERVAL_MS;
  }

  /** Restores the disables delivery made before a restart, before any delivery starts. */
  async onModuleInit(): Promise<void> {
    for (const { subscriptionId, version } of await this.repository.disabled()) {
      this.registry.disableLocally(subscriptionId, version);
    }
  }

  /** Notes one attempt's result; stored and announced with the next flush. */
  observe(subscription: SubscriptionRecord, observation: HealthObservation, at: Date): void {
    const id = subscription.id;
    if (observation.kind === 'success' && this.knownHealthy.has(id)) return;
    if (observation.kind === 'failure') this.knownHealthy.delete(id);
    let observed = this.pending.get(id);
    if (!observed) {
      observed = { subscription, observations: [] };
      this.pending.set(id, observed);
    }
    observed.subscription = subscription;
    observed.observations.push({ observation, at });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.intervalMs);
  }

  /** Stores what was observed so far and announces the transitions; never throws. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.store(batch).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private async store(batch: Map<string, Observed>): Promise<void> {
    let changes: Map<string, Decided>;
    try {
      changes = await this.repository.updateMany(
        [...batch.values()].map(({ subscription, observations }) => ({
          subscriptionId: subscription.id,
          businessId: subscription.businessId,
          topic: subscription.topic,
          create: observations.some((o) => o.observation.kind === 'failure'),
        })),
        (id, current) => this.decide(batch.get(id)!, current),
      );
    } catch (err) {
      // Health is advisory: what could not be stored now is merged into the next flush.
      for (const [id, observed] of batch) {
        const later = this.pending.get(id);
        if (later) later.observations.unshift(...observed.observations);
        else this.pending.set(id, observed);
      }
      this.scheduleFlush();
      this.logger.error(
        { subscriptions: batch.size, err: errorMessage(err) },
        'Endpoint health not stored; trying again with the next flush',
      );
      return;
    }
    for (const [id, change] of changes) {
      const { subscription } = batch.get(id)!;
      const { next } = change;
      // Healthy again, and nothing failed meanwhile: successes cost nothing until a failure.
      if (next.state === 'active' && next.consecutiveFailures === 0 && !this.pending.has(id)) {
        this.knownHealthy.add(id);
      }
      if (next.state === 'disabled' && next.disabledVersion !== null) {
        this.registry.disableLocally(id, next.disabledVersion);
      }
      await this.announce(subscription, change.made);
    }
  }

  /** Applies every observation of one subscription, in order, to its stored health. */
  private decide(observed: Observed, current: EndpointHealth | null): Decided {
    if (current === null) return { next: HEALTHY, changed: false, announcements: [], made: [] };
    let next = current;
    let changed = false;
    const made: Made[] = [];
    for (const { observation, at } of observed.observations) {
      const change = observeHealth(
        next,
        observation,
        observed.subscription.version,
        this.policy,
        at,
      );
      next = change.next;
      changed ||= change.changed;
      for (const announcement of change.announcements) {
        made.push({ announcement, consecutiveFailures: next.consecutiveFailures, at });
      }
    }
    return { next, changed, announcements: made.map((m) => m.announcement), made };
  }

  private async announce(subscription: SubscriptionRecord, made: readonly Made[]): Promise<void> {
    for (const { announcement, consecutiveFailures, at } of made) {
      this.logger.warn(
        {
          subscriptionId: subscription.id,
          businessId: subscription.businessId,
          type: announcement.type,
        },
        announcement.reason,
      );
      await this.publisher
        .publish(subscription, announcement, consecutiveFailures, at)
        .catch((err: unknown) =>
          this.logger.error(
            {
              subscriptionId: subscription.id,
              err: errorMessage(err),
            },
            'Endpoint health change not announced',
          ),
        );
    }
  }
}

/** A transition as it was made: with the failure count and time of the attempt that made it. */
interface Made {
  announcement: Announcement;
  consecutiveFailures: number;
  at: Date;
}

interface Decided extends HealthChange {
  made: readonly Made[];
}
