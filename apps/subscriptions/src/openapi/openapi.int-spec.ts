import { SubscriptionTopic } from '@switchboard/contracts';
import { SubscriptionsUnderTest } from '../../test/subscriptions-app';

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { content?: Record<string, { schema?: Json }> }>;
  security?: Record<string, string[]>[];
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** Every route of the admin API, as the issue lists it. */
const expectedOperations = [
  'POST /v1/businesses',
  'GET /v1/businesses/{businessId}',
  'GET /v1/businesses/{businessId}/api-keys',
  'POST /v1/businesses/{businessId}/api-keys',
  'DELETE /v1/businesses/{businessId}/api-keys/{keyId}',
  'POST /v1/businesses/{businessId}/sources',
  'GET /v1/businesses/{businessId}/sources',
  'GET /v1/businesses/{businessId}/sources/{sourceId}',
  'PATCH /v1/businesses/{businessId}/sources/{sourceId}',
  'DELETE /v1/businesses/{businessId}/sources/{sourceId}',
  'POST /v1/businesses/{businessId}/sources/{sourceId}/rotate-secret',
  'POST /v1/businesses/{businessId}/webhooks',
  'POST /v1/businesses/{businessId}/create/webhooks',
  'GET /v1/businesses/{businessId}/webhooks',
  'GET /v1/businesses/{businessId}/webhooks/{topic}',
  'PATCH /v1/businesses/{businessId}/webhooks/{topic}',
  'DELETE /v1/businesses/{businessId}/webhooks/{topic}',
  'POST /v1/businesses/{businessId}/webhooks/{topic}/rotate-secret',
  'GET /v1/businesses/{businessId}/webhooks/{topic}/health',
  'GET /v1/businesses/{businessId}/webhooks/{topic}/health/stats',
  'POST /v1/businesses/{businessId}/webhooks/{topic}/recover',
  'POST /v1/businesses/{businessId}/webhooks/{topic}/test',
  'GET /v1/businesses/{businessId}/deliveries',
  'GET /v1/businesses/{businessId}/deliveries/{deliveryId}',
  'POST /v1/businesses/{businessId}/deliveries/{deliveryId}/retry',
  'GET /v1/businesses/{businessId}/events',
  'GET /v1/businesses/{businessId}/events/{eventId}/raw-webhook',
  'GET /v1/businesses/{businessId}/inbound-dead-letters',
  'GET /v1/businesses/{businessId}/inbound-dead-letters/{deadLetterId}',
  'POST /v1/businesses/{businessId}/inbound-dead-letters/{deadLetterId}/replay',
  'POST /v1/businesses/{businessId}/inbound-dead-letters/replay',
  'GET /v1/businesses/{businessId}/outbound-dead-letters',
  'GET /v1/businesses/{businessId}/outbound-dead-letters/{deadLetterId}',
  'POST /v1/admin/rotate-data-key',
];

const withBody = new Set([
  'POST /v1/businesses',
  'POST /v1/businesses/{businessId}/sources',
  'PATCH /v1/businesses/{businessId}/sources/{sourceId}',
  'POST /v1/businesses/{businessId}/sources/{sourceId}/rotate-secret',
  'POST /v1/businesses/{businessId}/webhooks',
  'POST /v1/businesses/{businessId}/create/webhooks',
  'PATCH /v1/businesses/{businessId}/webhooks/{topic}',
  'POST /v1/businesses/{businessId}/webhooks/{topic}/rotate-secret',
  'POST /v1/businesses/{businessId}/webhooks/{topic}/recover',
  'POST /v1/businesses/{businessId}/inbound-dead-letters/replay',
]);

/** Every `$ref` in a value. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else refsIn(child, found);
    }
  }
  return found;
}

describe('OpenAPI document', () => {
  const service = new SubscriptionsUnderTest();
  let doc: Json & {
    openapi: string;
    info: Json;
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
  };

  beforeAll(async () => {
    await service.start();
    const res = await service.request<typeof doc>({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    doc = res.body;
  });
  afterAll(() => service.stop());

  function operations(): { key: string; path: string; method: string; op: Operation }[] {
    return Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => methods.includes(method))
        .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })),
    );
  }

  it('is an OpenAPI 3 document with info, paths, components and security schemes', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toEqual(
      expect.objectContaining({ title: expect.any(String), version: expect.any(String) }),
    );
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/'))).toBe(true);
    expect(doc.components.securitySchemes).toEqual({
      operator: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    });
  });

  it('lists every route the server serves under /v1, and only those', () => {
    const served = [
      ...new Set(
        service.routes
          .filter((r) => r.includes(' /v1/') && !r.startsWith('HEAD '))
          .map((r) => r.replace(/:(\w+)/g, '{$1}')),
      ),
    ].sort();
    expect(served).toEqual([...expectedOperations].sort());
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual([...expectedOperations].sort());
  });

  it('gives every operation a unique id, its path parameters, security, and JSON schemas for bodies and answers', () => {
    const ids = new Set<string>();
    for (const { key, path, op } of operations()) {
      expect({ key, operationId: typeof op.operationId }).toEqual({ key, operationId: 'string' });
      expect(ids.has(op.operationId!)).toBe(false);
      ids.add(op.operationId!);

      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect({ key, params: declared.map((p) => p.name).sort() }).toEqual({
        key,
        params: pathParams.sort(),
      });
      expect(declared.every((p) => p.required === true)).toBe(true);
      if (key.endsWith('/deliveries') || key.endsWith('/events')) {
        const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        expect({ key, query }).toEqual({
          key,
          query: expect.arrayContaining(['limit', 'cursor', 'topic']),
        });
      }

      expect({ key, security: op.security }).toEqual({
        key,
        security: expect.arrayContaining([{ operator: [] }, { apiKey: [] }]),
      });

      if (withBody.has(key)) {
        expect({ key, body: op.requestBody?.content?.['application/json']?.schema }).toEqual({
          key,
          body: { $ref: expect.stringMatching(/^#\/components\/schemas\/\w+Request$/) },
        });
      } else {
        expect({ key, body: op.requestBody }).toEqual({ key, body: undefined });
      }

      const responses = Object.entries(op.responses ?? {});
      expect(responses.some(([status]) => /^2\d\d$/.test(status))).toBe(true);
      for (const [status, response] of responses) {
        if (status === '204') {
          expect(response.content).toBeUndefined();
          continue;
        }
        const schema = response.content?.['application/json']?.schema;
        expect({ key, status, hasSchema: schema !== undefined }).toEqual({
          key,
          status,
          hasSchema: true,
        });
        if (/^[45]/.test(status))
          expect(schema).toEqual({ $ref: '#/components/schemas/ErrorResponse' });
      }
      expect(Object.keys(op.responses ?? {})).toContain('401');
    }
  });

  it('resolves every $ref to a component schema, each an object schema', () => {
    const refs = new Set(refsIn(doc));
    expect(refs.size).toBeGreaterThan(10);
    for (const ref of refs) {
      const name = ref.replace('#/components/schemas/', '');
      expect({
        ref,
        resolved: ref.startsWith('#/components/schemas/') && name in doc.components.schemas,
      }).toEqual({
        ref,
        resolved: true,
      });
    }
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect({
        name,
        type: schema.type ?? (schema.oneOf || schema.anyOf ? 'union' : undefined),
      }).toEqual({
        name,
        type: expect.stringMatching(/^(object|union)$/),
      });
      expect(JSON.stringify(schema)).not.toContain('"$id"');
    }
  });

  it('derives the schemas from the zod schemas that validate the requests', () => {
    const create = doc.components.schemas.CreateWebhookRequest as {
      properties: Record<string, Json>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(create.properties.topic).toEqual(
      expect.objectContaining({ enum: SubscriptionTopic.options }),
    );
    expect(create.required.sort()).toEqual(['address', 'topic']);
    expect(create.additionalProperties).toBe(false);
    const source = doc.components.schemas.CreateSourceRequest as { oneOf?: Json[]; anyOf?: Json[] };
    expect((source.oneOf ?? source.anyOf ?? []).length).toBe(6);
    const webhook = doc.components.schemas.Webhook as { properties: Record<string, Json> };
    expect(Object.keys(webhook.properties)).toEqual(
      expect.arrayContaining([
        'id',
        'topic',
        'address',
        'state',
        'configuration',
        'secrets',
        'version',
      ]),
    );
  });

  it('documents the CloudEvents mode of a webhook configuration, structured by default', () => {
    const mode = doc.components.schemas.WebhookConfiguration as {
      properties: Record<string, Json>;
    };
    expect(mode.properties.cloudEventsMode).toEqual(
      expect.objectContaining({
        enum: ['structured', 'binary'],
        default: 'structured',
        description: expect.stringContaining('ce- header'),
      }),
    );
  });

  it('documents ordering and status monotonicity of a webhook configuration, both off by default', () => {
    const configuration = doc.components.schemas.WebhookConfiguration as {
      properties: Record<string, Json>;
    };
    expect(configuration.properties.ordering).toEqual(
      expect.objectContaining({
        enum: ['none', 'conversation'],
        default: 'none',
        description: expect.stringContaining('event-time order'),
      }),
    );
    expect(configuration.properties.statusMonotonic).toEqual(
      expect.objectContaining({
        type: 'boolean',
        default: false,
        description: expect.stringContaining('suppressed'),
      }),
    );
  });

  it('documents the test outcome, its timeout, and the health figures', () => {
    const test = doc.paths['/v1/businesses/{businessId}/webhooks/{topic}/test']!.post!;
    expect(Object.keys(test.responses ?? {}).sort()).toEqual(
      ['200', '400', '401', '404', '503', '504'].sort(),
    );
    expect(test.responses!['200']!.content!['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/TestDeliveryResult',
    });
    const result = doc.components.schemas.TestDeliveryResult as { properties: Json };
    expect(Object.keys(result.properties).sort()).toEqual(
      [
        'requestId',
        'outcome',
        'statusCode',
        'latencyMs',
        'error',
        'responseBody',
        'attemptedAt',
      ].sort(),
    );
    const health = doc.components.schemas.WebhookHealth as {
      properties: Record<string, { properties?: Record<string, { properties?: Json }> }>;
    };
    expect(Object.keys(health.properties)).toEqual(
      expect.arrayContaining(['state', 'windows', 'consecutiveFailures', 'lastError']),
    );
    expect(Object.keys(health.properties.windows!.properties!)).toEqual(['1h', '24h']);
    expect(Object.keys(health.properties.windows!.properties!['1h']!.properties!)).toEqual([
      'attempts',
      'succeeded',
      'failed',
      'successRate',
      'p50LatencyMs',
      'p95LatencyMs',
    ]);
  });

  it('serves the interactive UI at /docs', async () => {
    const page = await service.request({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('swagger-ui');
    const init = await service.request({ method: 'GET', url: '/docs/swagger-ui-init.js' });
    expect(init.statusCode).toBe(200);
    expect(init.text).toContain('/v1/businesses');
    const asset = await service.app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'GET', url: '/docs/swagger-ui-bundle.js' });
    expect(asset.statusCode).toBe(200);
  });
});
