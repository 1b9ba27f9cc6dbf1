import { loadConfig } from '@switchboard/service-kit';
import { testDataKeys } from '@switchboard/testing';
import { SubscriptionsConfig } from '../config/subscriptions.config';
import { generateApiKey } from './api-key';
import type { ApiKeyEntity } from './api-key.entity';
import type { ApiKeysRepository } from './api-keys.repository';
import { OperatorOnlyError, UnauthenticatedError } from './auth.errors';
import { AuthService } from './auth.service';

const operatorKey = 'op-' + 'x'.repeat(40);

/** A key store at the repository port, in memory. */
function keyStore(...keys: ApiKeyEntity[]): ApiKeysRepository {
  return {
    findByHash: async (hash: Buffer) => keys.find((k) => k.keySha256.equals(hash)) ?? null,
  } as unknown as ApiKeysRepository;
}

function service(env: Record<string, string>, keys = keyStore()): AuthService {
  return new AuthService(
    loadConfig('subscriptions', SubscriptionsConfig, { DATA_KEYS: testDataKeys(), ...env }),
    keys,
  );
}

describe(AuthService.name, () => {
  const generated = generateApiKey();
  const stored: ApiKeyEntity = {
    id: 'key_1',
    businessId: 'biz_1',
    prefix: generated.prefix,
    keySha256: generated.hash,
    createdAt: new Date(),
  };
  const auth = service({ OPERATOR_API_KEY: operatorKey }, keyStore(stored));

  it('recognises the operator key as a Bearer token', async () => {
    await expect(auth.authenticate({ authorization: `Bearer ${operatorKey}` })).resolves.toEqual({
      kind: 'operator',
    });
    await expect(auth.authenticate({ authorization: `bearer   ${operatorKey}` })).resolves.toEqual({
      kind: 'operator',
    });
  });

  it('recognises a business key by its hash', async () => {
    await expect(auth.authenticate({ apiKey: generated.key })).resolves.toEqual({
      kind: 'business',
      businessId: 'biz_1',
      keyId: 'key_1',
    });
  });

  it.each([
    [{}, 'Send the operator key as Authorization: Bearer <key> or a business key as X-API-Key'],
    [{ authorization: 'Bearer nope' }, 'The operator key is not valid'],
    [{ authorization: operatorKey }, 'Authorization must be "Bearer <operator key>"'],
    [{ authorization: `Bearer ${generated.key}` }, 'Business keys go in the X-API-Key header'],
    [{ apiKey: 'sk_' + 'Z'.repeat(43) }, 'The API key is not valid'],
    [{ apiKey: operatorKey }, 'The API key is not valid'],
    [{ authorization: 'Bearer nope', apiKey: generated.key }, 'The operator key is not valid'],
  ])('refuses %j', async (credentials, message) => {
    const failure = auth.authenticate(credentials);
    await expect(failure).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(failure).rejects.toMatchObject({ code: 'unauthorized', httpStatus: 401, message });
  });

  it('authorises no operator when no operator key is configured', async () => {
    const without = service({});
    await expect(without.authenticate({ authorization: 'Bearer ' })).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    await expect(
      without.authenticate({ authorization: `Bearer ${operatorKey}` }),
    ).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('lets only the operator through operator-only operations', () => {
    expect(() => auth.requireOperator({ kind: 'operator' })).not.toThrow();
    expect(() => auth.requireOperator({ kind: 'business', businessId: 'b', keyId: 'k' })).toThrow(
      OperatorOnlyError,
    );
  });
});
