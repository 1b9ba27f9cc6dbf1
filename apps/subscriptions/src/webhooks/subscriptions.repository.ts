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
