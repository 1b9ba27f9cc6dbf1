import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { BusinessEntity } from './business.entity';

@Injectable()
export class BusinessesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, business: BusinessEntity): Promise<void> {
    await manager.insert(BusinessEntity, business);
  }

  findById(id: string): Promise<BusinessEntity | null> {
    return this.dataSource.getRepository(BusinessEntity).findOneBy({ id });
  }
}
