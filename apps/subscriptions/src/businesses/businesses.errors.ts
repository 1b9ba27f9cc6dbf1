import { AppError } from '@switchboard/service-kit';

/** The business does not exist, or the caller's key belongs to another one: 404 either way. */
export class BusinessNotFoundError extends AppError {
  constructor(businessId: string) {
    super('business_not_found', `No business ${businessId}`, 404, false);
  }
}

export class ApiKeyNotFoundError extends AppError {
  constructor(keyId: string) {
    super('api_key_not_found', `No API key ${keyId} in this business`, 404, false);
  }
}
