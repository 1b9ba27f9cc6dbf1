import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SourceEntity } from './source.entity';

@Injectable()
export class SourcesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, source: SourceEntity): Promise<void> {
    await manager.insert(SourceEntity, source);
  }

  async update(manager: EntityManager, source: SourceEntity): Promise<void> {
    const { id, ...fields } = source;
    await manager.update(SourceEntity, { id }, fields);
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(SourceEntity, { id });
  }

  find(
    businessId: string,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<SourceEntity | null> {
    return manager.findOneBy(SourceEntity, { businessId, id });
  }

  findById(id: string, manager: EntityManager): Promise<SourceEntity | null> {
    return manager.findOneBy(SourceEntity, { id });
  }

  listByBusiness(businessId: string): Promise<SourceEntity[]> {
    return this.dataSource
      .getRepository(SourceEntity)
      .find({ where: { businessId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  listAll(): Promise<SourceEntity[]> {
    return this.dataSource.getRepository(SourceEntity).find({ order: { id: 'ASC' } });
  }
}
