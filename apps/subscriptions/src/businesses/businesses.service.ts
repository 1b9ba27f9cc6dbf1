import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { generateApiKey } from '../auth/api-key';
import type { ApiKeyEntity } from '../auth/api-key.entity';
import { ApiKeysRepository } from '../auth/api-keys.repository';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/principal';
import { newId } from '../common/ids';
import type { BusinessEntity } from './business.entity';
import { ApiKeyNotFoundError, BusinessNotFoundError } from './businesses.errors';
import type {
  ApiKey,
  ApiKeyList,
  Business,
  CreateBusinessRequest,
  CreatedApiKey,
  CreatedBusiness,
} from './businesses.schemas';
import { BusinessesRepository } from './businesses.repository';

/** Businesses and their API keys; also decides which business a caller may reach. */
@Injectable()
export class BusinessesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auth: AuthService,
    private readonly businesses: BusinessesRepository,
    private readonly keys: ApiKeysRepository,
  ) {}

  /**
   * The business a call acts on. A business key reaches only its own business; any other id is
   * answered as if it did not exist, so ids of other businesses cannot be probed.
   * @throws BusinessNotFoundError
   */
  async access(principal: Principal, businessId: string): Promise<BusinessEntity> {
    if (principal.kind === 'business' && principal.businessId !== businessId) {
      throw new BusinessNotFoundError(businessId);
    }
    const business = await this.businesses.findById(businessId);
    if (!business) throw new BusinessNotFoundError(businessId);
    return business;
  }

  /** Operator only: a new business with its first API key. */
  async create(principal: Principal, input: CreateBusinessRequest): Promise<CreatedBusiness> {
    this.auth.requireOperator(principal);
    const now = new Date();
    const business: BusinessEntity = { id: newId('biz'), name: input.name ?? null, createdAt: now };
    const generated = generateApiKey();
    const key = keyEntity(business.id, generated, now);
    await this.dataSource.transaction(async (manager) => {
      await this.businesses.insert(manager, business);
      await this.keys.insert(manager, key);
    });
    return { ...businessView(business), apiKey: { ...keyView(key), key: generated.key } };
  }

  async get(principal: Principal, businessId: string): Promise<Business> {
    return businessView(await this.access(principal, businessId));
  }

  async createApiKey(principal: Principal, businessId: string): Promise<CreatedApiKey> {
    await this.access(principal, businessId);
    const generated = generateApiKey();
    const key = keyEntity(businessId, generated, new Date());
    await this.keys.insert(this.dataSource.manager, key);
    return { ...keyView(key), key: generated.key };
  }

  async listApiKeys(principal: Principal, businessId: string): Promise<ApiKeyList> {
    await this.access(principal, businessId);
    return { items: (await this.keys.listByBusiness(businessId)).map(keyView) };
  }

  /** Revokes a key at once; a business may revoke the key it calls with. */
  async deleteApiKey(principal: Principal, businessId: string, keyId: string): Promise<void> {
    await this.access(principal, businessId);
    if (!(await this.keys.delete(businessId, keyId))) throw new ApiKeyNotFoundError(keyId);
  }
}

function keyEntity(
  businessId: string,
  generated: { hash: Buffer; prefix: string },
  now: Date,
): ApiKeyEntity {
  return {
    id: newId('key'),
    businessId,
    prefix: generated.prefix,
    keySha256: generated.hash,
    createdAt: now,
  };
}

function businessView(business: BusinessEntity): Business {
  return { id: business.id, name: business.name, createdAt: business.createdAt.toISOString() };
}

function keyView(key: ApiKeyEntity): ApiKey {
  return { id: key.id, prefix: key.prefix, createdAt: key.createdAt.toISOString() };
}
