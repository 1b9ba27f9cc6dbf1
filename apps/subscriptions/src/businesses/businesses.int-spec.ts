import { SubscriptionsUnderTest } from '../../test/subscriptions-app';
import type { ApiKeyList, Business, CreatedApiKey, CreatedBusiness } from './businesses.schemas';

describe('businesses and API keys over REST (real PostgreSQL and Kafka)', () => {
  const service = new SubscriptionsUnderTest();

  beforeAll(() => service.start());
  afterAll(() => service.stop());

  async function createBusiness(name = 'Acme'): Promise<CreatedBusiness> {
    const res = await service.request<CreatedBusiness>({
      method: 'POST',
      url: '/v1/businesses',
      headers: service.operator(),
      payload: { name },
    });
    expect(res.statusCode).toBe(201);
    return res.body;
  }

  it('creates a business with an API key shown once, which then reaches the business', async () => {
    // when the operator creates a business
    const created = await createBusiness();

    // then it has an id and a 256-bit key, and the key reaches the business
    expect(created.id).toMatch(/^biz_/);
    expect(created.apiKey.key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey.key.startsWith(created.apiKey.prefix)).toBe(true);
    const got = await service.request<Business>({
      method: 'GET',
      url: `/v1/businesses/${created.id}`,
      headers: { 'x-api-key': created.apiKey.key },
    });
    expect(got.statusCode).toBe(200);
    expect(got.body).toEqual({ id: created.id, name: 'Acme', createdAt: created.createdAt });

    // and the key is listed without its value
    const keys = await service.request<ApiKeyList>({
      method: 'GET',
      url: `/v1/businesses/${created.id}/api-keys`,
      headers: { 'x-api-key': created.apiKey.key },
    });
    expect(keys.body.items).toEqual([
      { id: created.apiKey.id, prefix: created.apiKey.prefix, createdAt: created.apiKey.createdAt },
    ]);
  });

  it('stores keys only as SHA-256 hashes: the raw key appears in no column', async () => {
    // given a business with a second key
    const created = await createBusiness();
    const second = await service.request<CreatedApiKey>({
      method: 'POST',
      url: `/v1/businesses/${created.id}/api-keys`,
      headers: { 'x-api-key': created.apiKey.key },
    });
    expect(second.statusCode).toBe(201);

    // when every table is searched as text for either key
    for (const key of [created.apiKey.key, second.body.key]) {
      const tables = await service.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'subscriptions'`,
      );
      for (const { table_name } of tables) {
        const hits = await service.query(
          `SELECT 1 FROM subscriptions."${table_name}" t WHERE t::text LIKE '%' || $1 || '%'`,
          [key.slice(10)],
        );
        // then no row holds it
        expect({ table_name, hits: hits.length }).toEqual({ table_name, hits: 0 });
      }
    }
    // and what is stored is the SHA-256 of the key
    const rows = await service.query<{ key_sha256: Buffer }>(
      `SELECT key_sha256 FROM api_keys WHERE id = $1`,
      [second.body.id],
    );
    const { createHash } = await import('node:crypto');
    expect(rows[0]!.key_sha256.equals(createHash('sha256').update(second.body.key).digest())).toBe(
      true,
    );
  });

  it('revokes a key at once', async () => {
    // given a business with two keys
    const created = await createBusiness();
    const second = await service.request<CreatedApiKey>({
      method: 'POST',
      url: `/v1/businesses/${created.id}/api-keys`,
      headers: service.operator(),
    });

    // when the first key revokes the second
    const revoked = await service.request({
      method: 'DELETE',
      url: `/v1/businesses/${created.id}/api-keys/${second.body.id}`,
      headers: { 'x-api-key': created.apiKey.key },
    });

    // then it answers 204, the second key no longer authenticates, and revoking again is a 404
    expect(revoked.statusCode).toBe(204);
    const refused = await service.request({
      method: 'GET',
      url: `/v1/businesses/${created.id}`,
      headers: { 'x-api-key': second.body.key },
    });
    expect(refused.statusCode).toBe(401);
    const again = await service.request({
      method: 'DELETE',
      url: `/v1/businesses/${created.id}/api-keys/${second.body.id}`,
      headers: service.operator(),
    });
    expect(again.statusCode).toBe(404);
    expect(again.body).toEqual({
      error: { code: 'api_key_not_found', message: expect.stringContaining(second.body.id) },
    });
  });

  describe('scoping', () => {
    let a: CreatedBusiness;
    let b: CreatedBusiness;

    beforeAll(async () => {
      a = await createBusiness('A');
      b = await createBusiness('B');
    });

    it.each([
      ['GET', ''],
      ['GET', '/api-keys'],
      ['POST', '/api-keys'],
      ['GET', '/sources'],
      ['GET', '/webhooks'],
      ['GET', '/webhooks/messages'],
    ] as const)("answers 404 to business A's key on B: %s …%s", async (method, path) => {
      const res = await service.request({
        method,
        url: `/v1/businesses/${b.id}${path}`,
        headers: { 'x-api-key': a.apiKey.key },
      });
      expect(res.statusCode).toBe(404);
      expect(res.body).toEqual({
        error: { code: 'business_not_found', message: `No business ${b.id}` },
      });
    });

    it("does not let A's key revoke B's key", async () => {
      const res = await service.request({
        method: 'DELETE',
        url: `/v1/businesses/${b.id}/api-keys/${b.apiKey.id}`,
        headers: { 'x-api-key': a.apiKey.key },
      });
      expect(res.statusCode).toBe(404);
      const still = await service.request({
        method: 'GET',
        url: `/v1/businesses/${b.id}`,
        headers: { 'x-api-key': b.apiKey.key },
      });
      expect(still.statusCode).toBe(200);
    });

    it('answers 401 without credentials, with a wrong key, and with a wrong operator key', async () => {
      const cases: Record<string, string>[] = [
        {},
        { 'x-api-key': 'sk_' + 'A'.repeat(43) },
        { 'x-api-key': 'not-a-key' },
        { authorization: 'Bearer wrong-operator-key' },
        { authorization: `Basic ${service.operatorKey}` },
        { authorization: `Bearer ${a.apiKey.key}` },
      ];
      for (const headers of cases) {
        const res = await service.request<{ error: { code: string } }>({
          method: 'GET',
          url: `/v1/businesses/${a.id}`,
          headers,
        });
        expect({ headers, status: res.statusCode, code: res.body.error.code }).toEqual({
          headers,
          status: 401,
          code: 'unauthorized',
        });
      }
    });

    it('lets the operator key act on any business, and 404s an unknown one', async () => {
      for (const business of [a, b]) {
        const res = await service.request({
          method: 'GET',
          url: `/v1/businesses/${business.id}`,
          headers: service.operator(),
        });
        expect(res.statusCode).toBe(200);
      }
      const unknown = await service.request({
        method: 'GET',
        url: '/v1/businesses/biz_nope',
        headers: service.operator(),
      });
      expect(unknown.statusCode).toBe(404);
    });

    it('refuses business creation to a business key (403) and validates the body (400)', async () => {
      const forbidden = await service.request({
        method: 'POST',
        url: '/v1/businesses',
        headers: { 'x-api-key': a.apiKey.key },
        payload: { name: 'Mine' },
      });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.body).toEqual({
        error: { code: 'operator_only', message: 'Only the operator key may do this' },
      });
      const invalid = await service.request({
        method: 'POST',
        url: '/v1/businesses',
        headers: service.operator(),
        payload: { name: '', plan: 'gold' },
      });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.body).toEqual({
        error: {
          code: 'invalid_request',
          message: expect.stringMatching(/name: .*; \(body\): unknown field "plan"/),
        },
      });
    });
  });
});
