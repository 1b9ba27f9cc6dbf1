import {
  credentials,
  loadPackageDefinition,
  type ServiceClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { AdminGrpcClient, grpcFailure } from '../../test/grpc-client';
import { latestByKey, SubscriptionsUnderTest } from '../../test/subscriptions-app';
import { eventually } from '@switchboard/testing';

interface CreatedBusiness {
  id: string;
  name?: string;
  apiKey: { id: string; key: string; prefix: string };
}

describe('admin API over gRPC (real PostgreSQL and Kafka)', () => {
  const service = new SubscriptionsUnderTest();
  let client: AdminGrpcClient;
  let operator: Record<string, string>;

  beforeAll(async () => {
    await service.start();
    client = new AdminGrpcClient(service.grpcAddress);
    operator = { authorization: `Bearer ${service.operatorKey}` };
  });
  afterAll(async () => {
    client?.close();
    await service.stop();
  });

  function createBusiness(name: string): Promise<CreatedBusiness> {
    return client.call<CreatedBusiness>('Businesses', 'CreateBusiness', { name }, operator);
  }

  it('serves the standard health service and server reflection', async () => {
    expect(await client.call('Health', 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    expect(
      await client.call('Health', 'Check', { service: 'switchboard.admin.v1.Webhooks' }),
    ).toEqual({ status: 'SERVING' });
    expect(await client.reflectedServices()).toEqual(
      expect.arrayContaining([
        'switchboard.admin.v1.Businesses',
        'switchboard.admin.v1.Sources',
        'switchboard.admin.v1.Webhooks',
        'switchboard.admin.v1.Deliveries',
        'switchboard.admin.v1.Events',
        'grpc.health.v1.Health',
      ]),
    );
  });

  it('answers grpc.health.v1.Health/Check for a client that knows only the health proto', async () => {
    // given a client built from the standard health proto alone: no admin proto, no reflection
    const definition = loadPackageDefinition(loadSync(healthProtoPath, { enums: String }));
    const grpcNs = definition.grpc as unknown as {
      health: { v1: { Health: ServiceClientConstructor } };
    };
    const health = new grpcNs.health.v1.Health(
      service.grpcAddress,
      credentials.createInsecure(),
    ) as unknown as {
      check(
        request: { service: string },
        callback: (err: ServiceError | null, response: { status: string }) => void,
      ): void;
      close(): void;
    };
    const check = (name: string) =>
      new Promise<{ status: string }>((resolve, reject) =>
        health.check({ service: name }, (err, response) => (err ? reject(err) : resolve(response))),
      );
    try {
      // when it checks the server and an admin service, then both are SERVING
      expect(await check('')).toEqual({ status: 'SERVING' });
      expect(await check('switchboard.admin.v1.Sources')).toEqual({ status: 'SERVING' });
      // and an unknown service is NOT_FOUND, as the health protocol says
      expect((await grpcFailure(check('no.such.Service'))).code).toBe(status.NOT_FOUND);
    } finally {
      health.close();
    }
  });

  it('creates a token-verified Cunnekt source, showing its verification but never its token again', async () => {
    // given a business
    const business = await createBusiness('Grpc Cunnekt Co');
    const key = { 'x-api-key': business.apiKey.key };

    // when a Cunnekt platform source is created over gRPC with its token in a named header
    const created = await client.call<{
      source: { id: string; provider: string; environment: string; verification?: unknown };
      secret: { value: string };
    }>(
      'Sources',
      'CreateSource',
      {
        businessId: business.id,
        provider: 'cunnekt',
        events: 'platform',
        environment: 'sandbox',
        token: 'cunnekt-grpc-token-0123',
        tokenHeader: 'x-cunnekt-token',
      },
      key,
    );

    // then it is a standard-route sandbox source verified by that header's token
    expect(created.source).toEqual(
      expect.objectContaining({
        provider: 'standard',
        environment: 'sandbox',
        verification: { kind: 'token', header: 'x-cunnekt-token' },
      }),
    );
    expect(created.secret.value).toBe('cunnekt-grpc-token-0123');
    const got = await client.call(
      'Sources',
      'GetSource',
      { businessId: business.id, sourceId: created.source.id },
      key,
    );
    expect(JSON.stringify(got)).not.toContain('cunnekt-grpc-token-0123');
    expect(got).toEqual(
      expect.objectContaining({ verification: { kind: 'token', header: 'x-cunnekt-token' } }),
    );
  });

  it('manages businesses and API keys', async () => {
    const business = await createBusiness('Grpc Co');
    expect(business).toEqual(
      expect.objectContaining({
        id: expect.stringMatching(/^biz_/),
        name: 'Grpc Co',
        apiKey: expect.objectContaining({ key: expect.stringMatching(/^sk_/) }),
      }),
    );
    const key = { 'x-api-key': business.apiKey.key };
    expect(
      await client.call('Businesses', 'GetBusiness', { businessId: business.id }, key),
    ).toEqual(expect.objectContaining({ id: business.id, name: 'Grpc Co' }));
    const second = await client.call<{ id: string; key: string }>(
      'Businesses',
      'CreateApiKey',
      { businessId: business.id },
      key,
    );
    const keys = await client.call<{ items: { id: string }[] }>(
      'Businesses',
      'ListApiKeys',
      { businessId: business.id },
      { 'x-api-key': second.key },
    );
    expect(keys.items.map((k) => k.id).sort()).toEqual([business.apiKey.id, second.id].sort());
    await client.call(
      'Businesses',
      'DeleteApiKey',
      { businessId: business.id, keyId: second.id },
      key,
    );
    expect(
      await grpcFailure(
        client.call(
          'Businesses',
          'GetBusiness',
          { businessId: business.id },
          { 'x-api-key': second.key },
        ),
      ),
    ).toEqual({
      code: status.UNAUTHENTICATED,
      details: 'The API key is not valid',
      errorCode: 'unauthorized',
    });
  });

  it('goes through the lifecycle of a source and of a webhook subscription, published like REST', async () => {
    const business = await createBusiness('Lifecycle');
    const key = { 'x-api-key': business.apiKey.key };
    const businessId = business.id;

    // sources
    const created = await client.call<{
      source: { id: string; webhookUrl: string; version: number; secrets: unknown[] };
      secret: { value: string };
      verifyToken?: string;
    }>(
      'Sources',
      'CreateSource',
      {
        businessId,
        provider: 'meta',
        appSecret: 'grpc-app-secret',
        externalIds: { wabaIds: ['w1'], phoneNumberIds: ['p1'] },
      },
      key,
    );
    expect(created.secret.value).toBe('grpc-app-secret');
    expect(created.verifyToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const sourceId = created.source.id;
    expect(created.source.webhookUrl).toBe(`https://in.switchboard.test/webhooks/meta/${sourceId}`);
    const updated = await client.call<{ enabled?: boolean; environment: string; version: number }>(
      'Sources',
      'UpdateSource',
      { businessId, sourceId, enabled: false, environment: 'sandbox' },
      key,
    );
    expect(updated.enabled ?? false).toBe(false);
    expect(updated.environment).toBe('sandbox');
    expect(updated.version).toBeGreaterThan(created.source.version);
    const rotated = await client.call<{
      source: { secrets: { expiresAt?: string }[] };
      secret: { value: string };
    }>(
      'Sources',
      'RotateSourceSecret',
      { businessId, sourceId, secret: 'grpc-app-secret-2', graceSeconds: 30 },
      key,
    );
    expect(rotated.secret.value).toBe('grpc-app-secret-2');
    expect(rotated.source.secrets).toHaveLength(2);
    expect(rotated.source.secrets[1]!.expiresAt).toEqual(expect.any(String));
    const got = await client.call<{ id: string }>(
      'Sources',
      'GetSource',
      { businessId, sourceId },
      key,
    );
    expect(JSON.stringify(got)).not.toContain('grpc-app-secret');
    const list = await client.call<{ items: { id: string }[] }>(
      'Sources',
      'ListSources',
      { businessId },
      key,
    );
    expect(list.items.map((s) => s.id)).toEqual([sourceId]);
    await client.call('Sources', 'DeleteSource', { businessId, sourceId }, key);
    expect(
      await grpcFailure(client.call('Sources', 'GetSource', { businessId, sourceId }, key)),
    ).toEqual(expect.objectContaining({ code: status.NOT_FOUND, errorCode: 'source_not_found' }));

    // webhooks
    const webhook = await client.call<{
      webhook: {
        id: string;
        configuration: { filters: unknown[]; retry?: { schedule: number[] } };
      };
      replaced?: boolean;
      secret: { value: string };
    }>(
      'Webhooks',
      'CreateWebhook',
      {
        businessId,
        topic: 'messages',
        address: 'https://127.0.0.1/grpc',
        configuration: {
          filters: [{ field: 'campaign_name', expression: 'spring-*' }],
          retry: { schedule: [5, 30] },
          cloudEventsMode: 'binary',
          ordering: 'conversation',
          statusMonotonic: true,
        },
      },
      key,
    );
    expect(webhook.replaced ?? false).toBe(false);
    expect(webhook.secret.value).toMatch(/^whsec_/);
    expect(webhook.webhook.configuration).toEqual(
      expect.objectContaining({
        filters: [{ field: 'campaign_name', expression: 'spring-*' }],
        retry: { schedule: [5, 30] },
        cloudEventsMode: 'binary',
        ordering: 'conversation',
        statusMonotonic: true,
      }),
    );
    const replaced = await client.call<{
      webhook: { id: string; address: string };
      replaced: boolean;
    }>(
      'Webhooks',
      'CreateWebhook',
      { businessId, topic: 'messages', address: 'https://127.0.0.1/grpc-2' },
      key,
    );
    expect(replaced.replaced).toBe(true);
    expect(replaced.webhook.id).toBe(webhook.webhook.id);
    const patched = await client.call<{ state: string; address: string }>(
      'Webhooks',
      'UpdateWebhook',
      { businessId, topic: 'messages', state: 'disabled' },
      key,
    );
    expect(patched).toEqual(
      expect.objectContaining({ state: 'disabled', address: 'https://127.0.0.1/grpc-2' }),
    );
    const rotatedHook = await client.call<{ webhook: { secrets: unknown[] } }>(
      'Webhooks',
      'RotateWebhookSecret',
      { businessId, topic: 'messages' },
      key,
    );
    expect(rotatedHook.webhook.secrets).toHaveLength(2);
    const hooks = await client.call<{ items: { topic: string }[] }>(
      'Webhooks',
      'ListWebhooks',
      { businessId },
      key,
    );
    expect(hooks.items.map((h) => h.topic)).toEqual(['messages']);
    expect(
      await client.call('Webhooks', 'GetWebhook', { businessId, topic: 'messages' }, key),
    ).toEqual(expect.objectContaining({ id: webhook.webhook.id, state: 'disabled' }));

    // the changes reach the config topic like REST's
    await eventually(
      async () => {
        const state = latestByKey(await service.readConfigTopic());
        const record = state.get(`subscription:${businessId}:messages`);
        return record?.kind === 'subscription' &&
          record.state === 'disabled' &&
          !state.has(`source:${sourceId}`)
          ? true
          : undefined;
      },
      { what: 'gRPC changes on the config topic' },
    );

    await client.call('Webhooks', 'DeleteWebhook', { businessId, topic: 'messages' }, key);
    expect(
      await grpcFailure(
        client.call('Webhooks', 'GetWebhook', { businessId, topic: 'messages' }, key),
      ),
    ).toEqual(expect.objectContaining({ code: status.NOT_FOUND, errorCode: 'webhook_not_found' }));
  });

  it('scopes keys to their business and maps errors to gRPC statuses', async () => {
    const a = await createBusiness('A');
    const b = await createBusiness('B');
    const aKey = { 'x-api-key': a.apiKey.key };

    // business A's key on business B: NOT_FOUND, as if B did not exist
    for (const [svc, method] of [
      ['Businesses', 'GetBusiness'],
      ['Businesses', 'ListApiKeys'],
      ['Sources', 'ListSources'],
      ['Webhooks', 'ListWebhooks'],
    ] as const) {
      expect(await grpcFailure(client.call(svc, method, { businessId: b.id }, aKey))).toEqual({
        code: status.NOT_FOUND,
        details: `No business ${b.id}`,
        errorCode: 'business_not_found',
      });
    }
    expect(
      await grpcFailure(
        client.call('Sources', 'CreateSource', { businessId: b.id, provider: 'onprem' }, aKey),
      ),
    ).toEqual(expect.objectContaining({ code: status.NOT_FOUND }));

    // no key: UNAUTHENTICATED; a business key creating a business: PERMISSION_DENIED
    expect(
      await grpcFailure(client.call('Businesses', 'GetBusiness', { businessId: a.id })),
    ).toEqual(expect.objectContaining({ code: status.UNAUTHENTICATED, errorCode: 'unauthorized' }));
    expect(
      await grpcFailure(client.call('Businesses', 'CreateBusiness', { name: 'x' }, aKey)),
    ).toEqual({
      code: status.PERMISSION_DENIED,
      details: 'Only the operator key may do this',
      errorCode: 'operator_only',
    });

    // the operator reaches both
    for (const business of [a, b]) {
      expect(
        await client.call('Businesses', 'GetBusiness', { businessId: business.id }, operator),
      ).toEqual(expect.objectContaining({ id: business.id }));
    }

    // invalid input: INVALID_ARGUMENT naming the fields, with the same messages as REST
    expect(
      await grpcFailure(
        client.call(
          'Webhooks',
          'CreateWebhook',
          {
            businessId: a.id,
            topic: 'orders',
            address: 'https://10.0.0.1/x',
            configuration: {
              filters: [{ field: 'status', expression: '[' }],
              cloudEventsMode: 'batched',
            },
          },
          aKey,
        ),
      ),
    ).toEqual({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(
        /^topic: must be one of .*; configuration\.filters\[0\]\.expression: "\[" is not a valid glob.*; configuration\.cloudEventsMode: must be structured or binary$/,
      ),
      errorCode: 'invalid_request',
    });
    expect(
      await grpcFailure(
        client.call(
          'Webhooks',
          'CreateWebhook',
          { businessId: a.id, topic: 'messages', address: 'https://10.0.0.1/x' },
          aKey,
        ),
      ),
    ).toEqual(
      expect.objectContaining({ code: status.INVALID_ARGUMENT, errorCode: 'address_not_allowed' }),
    );
    expect(
      await grpcFailure(
        client.call('Webhooks', 'GetWebhook', { businessId: a.id, topic: 'x' }, aKey),
      ),
    ).toEqual(
      expect.objectContaining({
        code: status.INVALID_ARGUMENT,
        details: expect.stringMatching(/^topic: /),
      }),
    );
  });
});
