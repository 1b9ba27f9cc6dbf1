import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

/** Stores business API keys (hash and display prefix only) and finds them by hash. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, key: ApiKeyEntity): Promise<void> {
    await manager.insert(ApiKeyEntity, key);
  }

  findByHash(hash: Buffer): Promise<ApiKeyEntity | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOneBy({ keySha256: hash });
  }

  listByBusiness(businessId: string): Promise<ApiKeyEntity[]> {
    return this.dataSource
      .getRepository(ApiKeyEntity)
      .find({ where: { businessId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** True when the key existed (and belonged to the business). */
  async delete(businessId: string, id: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(ApiKeyEntity).delete({ businessId, id });
    return (result.affected ?? 0) > 0;
  }
}
