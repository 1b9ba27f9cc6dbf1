import { Injectable } from '@nestjs/common';
import { InjectConfig } from '@switchboard/service-kit';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { hashApiKey, hashMatches, looksLikeApiKey, secretsMatch } from './api-key';
import { ApiKeysRepository } from './api-keys.repository';
import { OperatorOnlyError, UnauthenticatedError } from './auth.errors';
import type { Credentials, Principal } from './principal';

const OPERATOR: Principal = Object.freeze({ kind: 'operator' });

/**
 * Turns presented credentials into a principal, the same way for REST and gRPC: the operator key
 * as `Authorization: Bearer`, a business key as `X-API-Key`. Keys are compared in constant time
 * and business keys are looked up by their SHA-256; the raw key is never stored or logged.
 */
@Injectable()
export class AuthService {
  private readonly operatorKey: string | null;

  constructor(
    @InjectConfig() config: SubscriptionsConfig,
    private readonly keys: ApiKeysRepository,
  ) {
    this.operatorKey = config.OPERATOR_API_KEY;
  }

  async authenticate(credentials: Credentials): Promise<Principal> {
    const authorization = credentials.authorization?.trim();
    if (authorization) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (!token) throw new UnauthenticatedError('Authorization must be "Bearer <operator key>"');
      // Compare even when no operator key is configured, so timing says nothing either way.
      const matches = secretsMatch(token, this.operatorKey ?? '');
      if (!matches || this.operatorKey === null) {
        throw new UnauthenticatedError(
          looksLikeApiKey(token)
            ? 'Business keys go in the X-API-Key header'
            : 'The operator key is not valid',
        );
      }
      return OPERATOR;
    }
    const apiKey = credentials.apiKey?.trim();
    if (apiKey) {
      if (!looksLikeApiKey(apiKey)) throw new UnauthenticatedError('The API key is not valid');
      const hash = hashApiKey(apiKey);
      const stored = await this.keys.findByHash(hash);
      if (!stored || !hashMatches(stored.keySha256, hash)) {
        throw new UnauthenticatedError('The API key is not valid');
      }
      return { kind: 'business', businessId: stored.businessId, keyId: stored.id };
    }
    throw new UnauthenticatedError();
  }

  /** @throws OperatorOnlyError unless the principal is the operator. */
  requireOperator(principal: Principal): void {
    if (principal.kind !== 'operator') throw new OperatorOnlyError();
  }
}
