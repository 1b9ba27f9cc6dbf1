import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { SubscriptionTopic } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { SubscriptionEntity } from './subscription.entity';

@Injectable()
export class SubscriptionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, subscription: SubscriptionEntity): Promise<void> {
    await manager.insert(SubscriptionEntity, subscription);
  }

  async update(manager: EntityManager, subscription: SubscriptionEntity): Promise<void> {
    const { id, ...fields } = subscription;
    await manager.update(SubscriptionEntity, { id }, fields);
  }

  /**
   * Marks the subscription's announced health healthy as of `at`, with `reason`: a later
   * announcement from the delivery service replaces it, an older (replayed) one does not.
   * Nothing is written when nothing was ever announced.
   */
  async resetHealth(
    manager: EntityManager,
    subscriptionId: string,
    at: Date,
    reason: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE subscription_health
          SET status = 'healthy', consecutive_failures = 0, reason = $2, changed_at = $3,
              event_id = $4
        WHERE subscription_id = $1 AND changed_at <= $3`,
      [subscriptionId, reason, at, randomUUID()],
    );
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(SubscriptionEntity, { id });
  }

  findByTopic(
    businessId: string,
    topic: SubscriptionTopic,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<SubscriptionEntity | null> {
    return manager.findOneBy(SubscriptionEntity, { businessId, topic });
  }

  findById(id: string, manager: EntityManager): Promise<SubscriptionEntity | null> {
    return manager.findOneBy(SubscriptionEntity, { id });
  }

  listAll(): Promise<SubscriptionEntity[]> {
    return this.dataSource.getRepository(SubscriptionEntity).find({ order: { id: 'ASC' } });
  }

  listByBusiness(businessId: string): Promise<SubscriptionEntity[]> {
    return this.dataSource
      .getRepository(SubscriptionEntity)
      .find({ where: { businessId }, order: { topic: 'ASC' } });
  }
}
