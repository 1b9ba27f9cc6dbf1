import { latestByKey, SubscriptionsUnderTest } from '../../test/subscriptions-app';
import { eventually } from '@switchboard/testing';
import type { CreatedBusiness } from '../businesses/businesses.schemas';
import type { CreatedSource, RotatedSourceSecret, Source, SourceList } from './sources.schemas';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('sources over REST (real PostgreSQL and Kafka)', () => {
  const service = new SubscriptionsUnderTest();
  let business: CreatedBusiness;
  let key: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    await service.start();
    const created = await service.request<CreatedBusiness>({
      method: 'POST',
      url: '/v1/businesses',
      headers: service.operator(),
      payload: { name: 'Sources Inc' },
    });
    business = created.body;
    key = { 'x-api-key': business.apiKey.key };
    base = `/v1/businesses/${business.id}/sources`;
  });
  afterAll(() => service.stop());

  function create(payload: unknown) {
    return service.request<CreatedSource & ErrorBody>({
      method: 'POST',
      url: base,
      headers: key,
      payload,
    });
  }

  it('goes through the whole lifecycle of a Meta source', async () => {
    // when a Meta source is created with its app secret and no verify token
    const created = await create({
      provider: 'meta',
      appSecret: 'meta-app-secret-1',
      externalIds: { wabaIds: ['102290129340398'], phoneNumberIds: ['106540352242922'] },
    });

    // then it answers 201 with the webhook URL, the secret and a generated verify token, once
    expect(created.statusCode).toBe(201);
    const source = created.body;
    expect(source).toEqual(
      expect.objectContaining({
        id: expect.stringMatching(/^src_/),
        businessId: business.id,
        provider: 'meta',
        environment: 'production',
        enabled: true,
        webhookUrl: `https://in.switchboard.test/webhooks/meta/${source.id}`,
        externalIds: { wabaIds: ['102290129340398'], phoneNumberIds: ['106540352242922'] },
        hasVerifyToken: true,
        secret: {
          id: expect.stringMatching(/^sec_/),
          value: 'meta-app-secret-1',
          createdAt: expect.any(String),
        },
        verifyToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      }),
    );
    expect(source.secrets).toEqual([
      { id: source.secret.id, createdAt: source.secret.createdAt, expiresAt: null },
    ]);

    // and reading it back shows no secret value or verify token
    const got = await service.request<Source>({
      method: 'GET',
      url: `${base}/${source.id}`,
      headers: key,
    });
    expect(got.statusCode).toBe(200);
    expect(got.text).not.toContain('meta-app-secret-1');
    expect(got.text).not.toContain(source.verifyToken!);
    const { secret: _s, verifyToken: _v, ...view } = source;
    expect(got.body).toEqual(view);
    const list = await service.request<SourceList>({ method: 'GET', url: base, headers: key });
    expect(list.body.items.map((s) => s.id)).toContain(source.id);
    expect(list.text).not.toContain('meta-app-secret-1');

    // when it is changed, then the change shows and the version increases
    const patched = await service.request<Source>({
      method: 'PATCH',
      url: `${base}/${source.id}`,
      headers: key,
      payload: { enabled: false, environment: 'sandbox', externalIds: { wabaIds: ['1'] } },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.body).toEqual(
      expect.objectContaining({
        enabled: false,
        environment: 'sandbox',
        externalIds: { wabaIds: ['1'], phoneNumberIds: [] },
      }),
    );
    expect(patched.body.version).toBeGreaterThan(source.version);

    // when its secret is rotated with a 60 s grace, then the new one leads and the old one expires
    const before = Date.now();
    const rotated = await service.request<RotatedSourceSecret>({
      method: 'POST',
      url: `${base}/${source.id}/rotate-secret`,
      headers: key,
      payload: { secret: 'meta-app-secret-2', graceSeconds: 60 },
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.body.secret.value).toBe('meta-app-secret-2');
    const [fresh, old] = rotated.body.source.secrets;
    expect(fresh).toEqual({
      id: rotated.body.secret.id,
      createdAt: expect.any(String),
      expiresAt: null,
    });
    expect(old!.id).toBe(source.secret.id);
    const expiresIn = Date.parse(old!.expiresAt!) - before;
    expect(expiresIn).toBeGreaterThan(55_000);
    expect(expiresIn).toBeLessThan(65_000);
    expect(rotated.body.source.version).toBeGreaterThan(patched.body.version);

    // when it is deleted, then it is gone
    const deleted = await service.request({
      method: 'DELETE',
      url: `${base}/${source.id}`,
      headers: key,
    });
    expect(deleted.statusCode).toBe(204);
    const gone = await service.request<ErrorBody>({
      method: 'GET',
      url: `${base}/${source.id}`,
      headers: key,
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.body.error.code).toBe('source_not_found');
    const again = await service.request({
      method: 'DELETE',
      url: `${base}/${source.id}`,
      headers: key,
    });
    expect(again.statusCode).toBe(404);
  });

  it('creates Cunnekt sources verified by a static token, sandbox and production apart', async () => {
    // when a sandbox source for Cunnekt's channel webhooks is created without a token
    const sandbox = await create({
      provider: 'cunnekt',
      events: 'channel',
      environment: 'sandbox',
    });

    // then it is a meta-route source verified by a generated bearer token, shown this once
    expect(sandbox.statusCode).toBe(201);
    expect(sandbox.body).toEqual(
      expect.objectContaining({
        provider: 'meta',
        environment: 'sandbox',
        sharedEndpoint: false,
        webhookUrl: `https://in.switchboard.test/webhooks/meta/${sandbox.body.id}`,
        verification: { kind: 'token', header: 'authorization' },
        hasVerifyToken: false,
        verifyToken: null,
        secret: expect.objectContaining({ value: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) }),
      }),
    );
    const token = sandbox.body.secret.value;

    // when a production source for its platform events is created with a token in a named header
    const production = await create({
      provider: 'cunnekt',
      events: 'platform',
      token: 'cunnekt-production-token-1',
      tokenHeader: 'X-Cunnekt-Token',
    });
    expect(production.statusCode).toBe(201);
    expect(production.body).toEqual(
      expect.objectContaining({
        provider: 'standard',
        environment: 'production',
        webhookUrl: `https://in.switchboard.test/webhooks/standard/${production.body.id}`,
        verification: { kind: 'token', header: 'x-cunnekt-token' },
      }),
    );

    // then reading them back never shows a token
    const got = await service.request<Source>({
      method: 'GET',
      url: `${base}/${sandbox.body.id}`,
      headers: key,
    });
    expect(got.body.verification).toEqual({ kind: 'token', header: 'authorization' });
    expect(got.text).not.toContain(token);
    const list = await service.request<SourceList>({ method: 'GET', url: base, headers: key });
    expect(list.text).not.toContain(token);
    expect(list.text).not.toContain('cunnekt-production-token-1');

    // and their records reach the config topic with the verification and the token sealed
    const records = await eventually(
      async () => {
        const latest = latestByKey(await service.readConfigTopic());
        const a = latest.get(`source:${sandbox.body.id}`);
        const b = latest.get(`source:${production.body.id}`);
        return a && b ? [a, b] : undefined;
      },
      { what: 'the Cunnekt sources on the config topic' },
    );
    expect(records.map((r) => r?.kind === 'source' && r.verification)).toEqual([
      { kind: 'token', header: 'authorization' },
      { kind: 'token', header: 'x-cunnekt-token' },
    ]);
    expect(JSON.stringify(records)).not.toContain(token);
    expect(JSON.stringify(records)).not.toContain('cunnekt-production-token-1');

    // and a source stays in its environment: another is made for the other one
    const moved = await service.request<ErrorBody>({
      method: 'PATCH',
      url: `${base}/${sandbox.body.id}`,
      headers: key,
      payload: { environment: 'production' },
    });
    expect(moved.statusCode).toBe(400);
    expect(moved.body.error.message).toBe(
      'environment: a token-verified source stays sandbox; create another source for production, with its own token',
    );

    // and its token rotates like an onprem one: generated when not given, at least 16 characters
    const rotated = await service.request<RotatedSourceSecret>({
      method: 'POST',
      url: `${base}/${sandbox.body.id}/rotate-secret`,
      headers: key,
      payload: {},
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.body.secret.value).not.toBe(token);
    const short = await service.request<ErrorBody>({
      method: 'POST',
      url: `${base}/${production.body.id}/rotate-secret`,
      headers: key,
      payload: { secret: 'too-short' },
    });
    expect(short.statusCode).toBe(400);
  });

  it("gives a Cunnekt source one URL for channel webhooks and platform events by default, as Cunnekt's dashboard takes one", async () => {
    // when a Cunnekt source is created without saying which events
    const created = await create({ provider: 'cunnekt' });

    // then its one URL is a meta-route URL that takes platform events too
    expect(created.statusCode).toBe(201);
    expect(created.body).toEqual(
      expect.objectContaining({
        provider: 'meta',
        sharedEndpoint: true,
        webhookUrl: `https://in.switchboard.test/webhooks/meta/${created.body.id}`,
        verification: { kind: 'token', header: 'authorization' },
      }),
    );
    // and its record tells ingress so
    const record = await eventually(
      async () =>
        latestByKey(await service.readConfigTopic()).get(`source:${created.body.id}`) ?? undefined,
      { what: 'the shared-endpoint source on the config topic' },
    );
    expect(record).toEqual(expect.objectContaining({ sharedEndpoint: true }));
  });

  it.each([
    [{ provider: 'cunnekt', events: 'both' }, 'events: must be all, channel or platform'],
    [
      { provider: 'cunnekt', events: 'channel', token: 'short' },
      'token: Too small: expected string to have >=16 characters',
    ],
    [
      { provider: 'cunnekt', events: 'channel', tokenHeader: 'Content-Type' },
      'tokenHeader: must not be a header HTTP uses or ingress stores',
    ],
    [
      { provider: 'cunnekt', events: 'channel', tokenHeader: 'X-Hub-Signature-256' },
      'tokenHeader: must not be a header HTTP uses or ingress stores',
    ],
    [
      { provider: 'cunnekt', events: 'channel', tokenHeader: 'x token' },
      'tokenHeader: must be a header name',
    ],
  ])('refuses the Cunnekt source %j: %s', async (payload, message) => {
    const res = await create(payload);
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_request', message } });
  });

  it('rotates with the configured 24 h grace when the request gives none', async () => {
    const source = (await create({ provider: 'connectly', secret: 'connectly-secret' })).body;
    const before = Date.now();
    const rotated = await service.request<RotatedSourceSecret>({
      method: 'POST',
      url: `${base}/${source.id}/rotate-secret`,
      headers: key,
      payload: { secret: 'connectly-secret-2' },
    });
    const old = rotated.body.source.secrets[1]!;
    expect(Math.abs(Date.parse(old.expiresAt!) - before - 24 * 3600 * 1000)).toBeLessThan(5_000);
  });

  it('generates the secrets Switchboard issues: onprem tokens and standard whsec_ secrets', async () => {
    const onprem = await create({ provider: 'onprem' });
    expect(onprem.statusCode).toBe(201);
    expect(onprem.body.secret.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(onprem.body.verifyToken).toBeNull();
    expect(onprem.body.webhookUrl).toBe(
      `https://in.switchboard.test/webhooks/onprem/${onprem.body.id}`,
    );

    const standard = await create({ provider: 'standard', environment: 'sandbox' });
    expect(standard.statusCode).toBe(201);
    expect(standard.body.secret.value).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const given = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const withSecret = await create({ provider: 'standard', secret: given });
    expect(withSecret.body.secret.value).toBe(given);

    // rotation generates again, for onprem and standard alike
    for (const source of [onprem.body, standard.body]) {
      const rotated = await service.request<RotatedSourceSecret>({
        method: 'POST',
        url: `${base}/${source.id}/rotate-secret`,
        headers: key,
        payload: {},
      });
      expect(rotated.statusCode).toBe(200);
      expect(rotated.body.secret.value).not.toBe(source.secret.value);
      expect(rotated.body.source.secrets).toHaveLength(2);
    }
  });

  it.each([
    [
      { provider: 'whatsapp' },
      'provider: must be one of meta, onprem, connectly, cubeconnect, standard, cunnekt',
    ],
    [{}, 'provider: must be one of meta, onprem, connectly, cubeconnect, standard, cunnekt'],
    [{ provider: 'meta' }, 'appSecret: Invalid input: expected string, received undefined'],
    [
      { provider: 'connectly', secret: 'short' },
      'secret: Too small: expected string to have >=8 characters',
    ],
    [{ provider: 'standard', secret: 'not-whsec-secret' }, 'secret: Expected a whsec_ secret'],
    [
      { provider: 'standard', secret: 'whsec_c2hvcnQ=' },
      'secret: must carry at least 24 bytes of key after whsec_',
    ],
    [
      { provider: 'onprem', token: 'x'.repeat(8) },
      'token: Too small: expected string to have >=16 characters',
    ],
    [
      { provider: 'meta', appSecret: 'app-secret-1', environment: 'staging' },
      'environment: Invalid option: expected one of "production"|"sandbox"',
    ],
    [
      { provider: 'meta', appSecret: 'app-secret-1', secret: 'x' },
      '(body): unknown field "secret"',
    ],
    [
      { provider: 'cubeconnect', secret: 'cube-secret', externalIds: { wabaIds: 'x', phones: [] } },
      'externalIds.wabaIds: Invalid input: expected array, received string; externalIds: unknown field "phones"',
    ],
  ])('refuses %j: %s', async (payload, message) => {
    const res = await create(payload);
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_request', message } });
  });

  it('refuses an empty change, a rotation without the provider-issued secret, and a bad grace', async () => {
    const source = (await create({ provider: 'cubeconnect', secret: 'cube-secret-1' })).body;
    const empty = await service.request<ErrorBody>({
      method: 'PATCH',
      url: `${base}/${source.id}`,
      headers: key,
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body.error.message).toBe(
      '(body): give at least one of environment, enabled, externalIds',
    );

    const noSecret = await service.request<ErrorBody>({
      method: 'POST',
      url: `${base}/${source.id}/rotate-secret`,
      headers: key,
      payload: {},
    });
    expect(noSecret.statusCode).toBe(400);
    expect(noSecret.body.error.message).toBe(
      'secret: required for cubeconnect sources (the provider issues the new secret)',
    );

    const badGrace = await service.request<ErrorBody>({
      method: 'POST',
      url: `${base}/${source.id}/rotate-secret`,
      headers: key,
      payload: { secret: 'cube-secret-2', graceSeconds: -1 },
    });
    expect(badGrace.statusCode).toBe(400);
    expect(badGrace.body.error.message).toMatch(/^graceSeconds: /);
  });

  it('answers 404 for a source of another business, even to the operator on the wrong path', async () => {
    const source = (await create({ provider: 'onprem' })).body;
    const other = await service.createBusiness({});
    const res = await service.request<ErrorBody>({
      method: 'GET',
      url: `/v1/businesses/${other.id}/sources/${source.id}`,
      headers: { 'x-api-key': other.apiKey.key },
    });
    expect(res.statusCode).toBe(404);
    expect(res.body.error.code).toBe('source_not_found');
    const operator = await service.request({
      method: 'GET',
      url: `/v1/businesses/${other.id}/sources/${source.id}`,
      headers: service.operator(),
    });
    expect(operator.statusCode).toBe(404);
    const own = await service.request({
      method: 'GET',
      url: `${base}/${source.id}`,
      headers: service.operator(),
    });
    expect(own.statusCode).toBe(200);
  });
});
