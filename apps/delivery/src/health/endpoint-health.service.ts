import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { SubscriptionRecord } from '@switchboard/contracts';
import { DELIVERY_CONFIG } from '../config/delivery-config.module';
import type { DeliveryConfig } from '../config/delivery.config';
import { SubscriptionRegistry } from '../subscriptions/subscription-registry';
import {
  HEALTHY,
  type HealthObservation,
  type HealthPolicy,
  observeHealth,
} from './endpoint-health';
import { HealthEventPublisher } from './health-event.publisher';
import { SubscriptionHealthRepository } from './subscription-health.repository';

/**
 * Keeps each endpoint's health from the attempts made to it: stores every transition, announces
 * it (`subscription.failing`, `.disabled`, `.recovered`), and stops deliveries to a subscription
 * it disables. A success to an endpoint known healthy costs no database write.
 */
@Injectable()
export class EndpointHealthService implements OnModuleInit {
  private readonly logger = new Logger(EndpointHealthService.name);
  private readonly policy: HealthPolicy;
  /** Subscriptions whose stored health is active without failures. */
  private readonly knownHealthy = new Set<string>();
  /** Failures observed per subscription, so a success racing a failure does not mark it healthy. */
  private readonly failureGenerations = new Map<string, number>();

  constructor(
    private readonly repository: SubscriptionHealthRepository,
    private readonly registry: SubscriptionRegistry,
    private readonly publisher: HealthEventPublisher,
    @Inject(DELIVERY_CONFIG) config: DeliveryConfig,
  ) {
    this.policy = {
      failingAfter: config.FAILING_AFTER_FAILURES,
      disableAfterMs: config.DISABLE_AFTER_SECONDS * 1000,
    };
  }

  /** Restores the disables delivery made before a restart, before any delivery starts. */
  async onModuleInit(): Promise<void> {
    for (const { subscriptionId, version } of await this.repository.disabled()) {
      this.registry.disableLocally(subscriptionId, version);
    }
  }

  async observe(
    subscription: SubscriptionRecord,
    observation: HealthObservation,
    now: Date,
  ): Promise<void> {
    const id = subscription.id;
    if (observation.kind === 'success' && this.knownHealthy.has(id)) return;
    const generation = this.failureGenerations.get(id) ?? 0;
    if (observation.kind === 'failure') {
      this.knownHealthy.delete(id);
      this.failureGenerations.set(id, generation + 1);
    }
    const change = await this.repository.update(
      { subscriptionId: id, businessId: subscription.businessId, topic: subscription.topic },
      observation.kind === 'failure',
      (current) =>
        current === null
          ? { next: HEALTHY, changed: false, announcements: [] }
          : observeHealth(current, observation, subscription.version, this.policy, now),
    );
    const { next } = change;
    if (
      next.state === 'active' &&
      next.consecutiveFailures === 0 &&
      (this.failureGenerations.get(id) ?? 0) === generation
    ) {
      this.knownHealthy.add(id);
      this.failureGenerations.delete(id);
    }
    if (next.state === 'disabled' && next.disabledVersion !== null) {
      this.registry.disableLocally(id, next.disabledVersion);
    }
    for (const announcement of change.announcements) {
      this.logger.warn(
        { subscriptionId: id, businessId: subscription.businessId, type: announcement.type },
        announcement.reason,
      );
      await this.publisher.publish(subscription, announcement, next.consecutiveFailures, now);
    }
  }
}
