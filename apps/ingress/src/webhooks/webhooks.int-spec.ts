import { randomUUID } from 'node:crypto';
import { type RawInboundEnvelope, type RejectedRequest } from '@switchboard/contracts';
import { readFixture } from '@switchboard/fixtures';
import { eventually } from '@switchboard/testing';
import type { KafkaMessage } from 'kafkajs';
import { Webhook } from 'standardwebhooks';
import { IngressUnderTest } from '../../test/ingress-app';
import {
  connectlyHeaders,
  cubeConnectHeaders,
  metaHeaders,
  secretOf,
  source,
} from '../../test/signing';

describe('ingress webhooks (real Kafka)', () => {
  const ingress = new IngressUnderTest();
  let raw: KafkaMessage[];
  let rejected: KafkaMessage[];

  const meta = source({ provider: 'meta', verifyToken: 'verify-me-please' });
  const disabled = source({ provider: 'meta', enabled: false });
  const onprem = source({ provider: 'onprem' });
  const connectly = source({ provider: 'connectly' });
  const cube = source({ provider: 'cubeconnect' });
  const standard = source({
    provider: 'standard',
    secrets: [
      {
        id: 's1',
        value: `whsec_${Buffer.from(randomUUID()).toString('base64')}`,
        createdAt: new Date().toISOString(),
        expiresAt: null,
      },
    ],
  });
  const rotating = source({
    provider: 'meta',
    secrets: [
      { id: 'new', value: 'new-app-secret', createdAt: new Date().toISOString(), expiresAt: null },
      {
        id: 'old',
        value: 'old-app-secret',
        createdAt: '2026-01-01T00:00:00Z',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      {
        id: 'retired',
        value: 'retired-app-secret',
        createdAt: '2025-01-01T00:00:00Z',
        expiresAt: '2026-01-01T00:00:00Z',
      },
    ],
  });

  // Cunnekt: channel webhooks (Meta's format) and platform events, verified by a static token;
  // its sandbox and production accounts are separate sources with tokens of their own.
  const cunnektSandbox = source({
    provider: 'meta',
    environment: 'sandbox',
    verification: { kind: 'token', header: 'authorization' },
  });
  const cunnektProduction = source({
    provider: 'meta',
    environment: 'production',
    verification: { kind: 'token', header: 'authorization' },
  });
  const cunnektShared = source({
    provider: 'meta',
    verification: { kind: 'token', header: 'authorization' },
    sharedEndpoint: true,
  });
  const cunnektPlatform = source({
    provider: 'standard',
    verification: { kind: 'token', header: 'x-cunnekt-token' },
  });

  beforeAll(async () => {
    await ingress.start({ BODY_LIMIT_BYTES: String(64 * 1024) });
    await ingress.publishSources(meta, disabled, onprem, connectly, cube, standard, rotating);
    await ingress.publishSources(cunnektSandbox, cunnektProduction, cunnektPlatform, cunnektShared);
    raw = await ingress.collect(ingress.topic('raw'));
    rejected = await ingress.collect(ingress.topic('rejected'));
  });

  afterAll(() => ingress.stop());

  function storedEnvelope(id: string): Promise<RawInboundEnvelope> {
    return eventually(
      () => {
        const m = raw.find(
          (msg) => (JSON.parse(msg.value!.toString()) as RawInboundEnvelope).id === id,
        );
        return m ? (JSON.parse(m.value!.toString()) as RawInboundEnvelope) : undefined;
      },
      { what: `raw webhook ${id} on the raw topic` },
    );
  }

  function rejection(sourceId: string, reason: string): Promise<RejectedRequest> {
    return eventually(
      () =>
        rejected
          .map((m) => JSON.parse(m.value!.toString()) as RejectedRequest)
          .find((r) => r.sourceId === sourceId && r.reason === reason),
      { what: `rejection ${reason} for ${sourceId}` },
    );
  }

  function post(route: string, sourceId: string, body: Buffer, headers: Record<string, string>) {
    return ingress.inject({
      method: 'POST',
      url: `/webhooks/${route}/${sourceId}`,
      headers,
      payload: body,
    });
  }

  describe('Meta Cloud API', () => {
    it('stores a verified webhook byte for byte, keyed by source, before answering 200', async () => {
      // given a signed Meta webhook whose bytes include odd spacing and non-ASCII text
      const body = Buffer.concat([readFixture('meta/text-message.json'), Buffer.from('  \n')]);

      // when it is posted
      const res = await post('meta', meta.id, body, metaHeaders(secretOf(meta), body));

      // then it is acknowledged with the raw id, and the raw topic holds the exact bytes
      expect(res.statusCode).toBe(200);
      const { id } = res.json<{ id: string }>();
      const envelope = await storedEnvelope(id);
      expect(Buffer.from(envelope.body, 'base64').equals(body)).toBe(true);
      expect(envelope).toMatchObject({
        sourceId: meta.id,
        businessId: meta.businessId,
        provider: 'meta',
        environment: 'production',
        contentType: 'application/json',
      });
      expect(envelope.headers['x-hub-signature-256']).toBeDefined();
      const message = raw.find((m) => m.value!.toString().includes(id))!;
      expect(message.key!.toString()).toBe(meta.id);
    });

    it('answers 401 to a wrong or missing signature and records the rejection without secrets', async () => {
      const body = readFixture('meta/text-message.json');
      const wrong = await post('meta', meta.id, body, metaHeaders('not-the-secret', body));
      const missing = await post('meta', meta.id, body, { 'content-type': 'application/json' });

      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual({
        error: { code: 'signature_invalid', message: expect.any(String) },
      });
      expect(missing.statusCode).toBe(401);
      expect(missing.json().error.code).toBe('signature_missing');
      const record = await rejection(meta.id, 'signature_invalid');
      const text = JSON.stringify(record);
      expect(text).not.toContain(secretOf(meta));
      expect(text).not.toContain('sha256=');
      expect(record.bodyBytes).toBe(body.length);
    });

    it('answers 404 for an unknown or disabled source', async () => {
      const body = readFixture('meta/text-message.json');
      const unknown = await post('meta', 'src_nobody', body, metaHeaders('x', body));
      const off = await post('meta', disabled.id, body, metaHeaders(secretOf(disabled), body));
      const wrongRoute = await post('connectly', meta.id, body, metaHeaders(secretOf(meta), body));

      expect([unknown.statusCode, off.statusCode, wrongRoute.statusCode]).toEqual([404, 404, 404]);
      expect(unknown.json().error.code).toBe('source_not_found');
      expect(off.json().error.code).toBe('source_disabled');
      await rejection('src_nobody', 'source_not_found');
    });

    it('answers 413 to a body over the limit', async () => {
      const big = Buffer.alloc(65 * 1024, 'a');
      const tooLarge = await post('meta', meta.id, big, metaHeaders(secretOf(meta), big));

      expect(tooLarge.statusCode).toBe(413);
      expect(tooLarge.json().error.code).toBe('body_too_large');
      // and the rejection keeps the content type the request came with
      const record = await rejection(meta.id, 'body_too_large');
      expect(record.headers['content-type']).toBe('application/json');
    });

    it.each(['text/json', 'application/octet-stream', 'application/vnd.api+json', 'json'])(
      'stores a signed JSON body sent as %s',
      async (contentType) => {
        // given a signed Meta webhook labelled with a content type that is not application/json
        const body = readFixture('meta/text-message.json');
        const headers = { ...metaHeaders(secretOf(meta), body), 'content-type': contentType };

        // when it is posted
        const res = await post('meta', meta.id, body, headers);

        // then it is stored byte for byte with the content type it came with
        expect(res.statusCode).toBe(200);
        const envelope = await storedEnvelope(res.json<{ id: string }>().id);
        expect(envelope.contentType).toBe(contentType);
        expect(Buffer.from(envelope.body, 'base64').equals(body)).toBe(true);
      },
    );

    it('verifies before the content type matters: 401 unsigned, 415 only for a verified body that is not JSON', async () => {
      // given an XML body sent as application/octet-stream
      const xml = Buffer.from('<message>hello</message>');
      const octet = { 'content-type': 'application/octet-stream' };

      // when it comes unsigned, and then signed
      const before = await ingress.metric('switchboard_ingress_requests_total', {
        route: 'meta',
        outcome: 'unsupported_media_type',
      });
      const unsigned = await post('meta', meta.id, xml, octet);
      const signed = await post('meta', meta.id, xml, {
        ...metaHeaders(secretOf(meta), xml),
        ...octet,
      });

      // then the unsigned one is refused for its signature, the signed one for not being JSON
      expect(unsigned.statusCode).toBe(401);
      expect(unsigned.json().error.code).toBe('signature_missing');
      expect(signed.statusCode).toBe(415);
      expect(signed.json()).toEqual({
        error: {
          code: 'unsupported_media_type',
          message: 'A application/octet-stream body is taken only when it is JSON',
        },
      });
      // and the 415 is counted and recorded
      expect(
        await ingress.metric('switchboard_ingress_requests_total', {
          route: 'meta',
          outcome: 'unsupported_media_type',
        }),
      ).toBe(before + 1);
      const record = await rejection(meta.id, 'unsupported_media_type');
      expect(record.bodyBytes).toBe(xml.length);
    });

    it('stores and acknowledges a signed body that is not valid JSON', async () => {
      const body = Buffer.from('{"object":"whatsapp_business_account","entry":[{');
      const res = await post('meta', meta.id, body, metaHeaders(secretOf(meta), body));

      expect(res.statusCode).toBe(200);
      const envelope = await storedEnvelope(res.json<{ id: string }>().id);
      expect(Buffer.from(envelope.body, 'base64').toString()).toBe(body.toString());
    });

    it('answers the verification handshake with the challenge, and 403 to a wrong token', async () => {
      const ok = await ingress.inject({
        method: 'GET',
        url: `/webhooks/meta/${meta.id}?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=1158201444`,
      });
      const bad = await ingress.inject({
        method: 'GET',
        url: `/webhooks/meta/${meta.id}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`,
      });

      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toMatch(/^text\/plain/);
      expect(ok.body).toBe('1158201444');
      expect(bad.statusCode).toBe(403);
      expect(bad.json().error.code).toBe('verify_token_invalid');
    });

    it('verifies with any live secret during a rotation, and not with a retired one', async () => {
      const body = readFixture('meta/status-delivered.json');
      const withNew = await post('meta', rotating.id, body, metaHeaders('new-app-secret', body));
      const withOld = await post('meta', rotating.id, body, metaHeaders('old-app-secret', body));
      const withRetired = await post(
        'meta',
        rotating.id,
        body,
        metaHeaders('retired-app-secret', body),
      );

      expect([withNew.statusCode, withOld.statusCode, withRetired.statusCode]).toEqual([
        200, 200, 401,
      ]);
    });
  });

  describe('On-Premises API', () => {
    it('accepts the source token in the query or as a bearer token, and refuses others', async () => {
      const body = readFixture('onprem/text-message.json');
      const json = { 'content-type': 'application/json' };
      const inQuery = await ingress.inject({
        method: 'POST',
        url: `/webhooks/onprem/${onprem.id}?token=${encodeURIComponent(secretOf(onprem))}`,
        headers: json,
        payload: body,
      });
      const asBearer = await post('onprem', onprem.id, body, {
        ...json,
        authorization: `Bearer ${secretOf(onprem)}`,
      });
      const wrong = await post('onprem', onprem.id, body, {
        ...json,
        authorization: 'Bearer nope',
      });
      const none = await post('onprem', onprem.id, body, json);

      expect([inQuery.statusCode, asBearer.statusCode]).toEqual([200, 200]);
      expect(wrong.json().error.code).toBe('token_invalid');
      expect(none.json().error.code).toBe('token_missing');
      const envelope = await storedEnvelope(asBearer.json<{ id: string }>().id);
      expect(envelope.headers.authorization).toBeUndefined();
    });
  });

  describe('Connectly', () => {
    it('verifies the base64 HMAC, also for text/plain bodies', async () => {
      const body = readFixture('connectly/message-text.json');
      const plain = await post(
        'connectly',
        connectly.id,
        body,
        connectlyHeaders(secretOf(connectly), body, 'text/plain'),
      );
      const json = await post(
        'connectly',
        connectly.id,
        body,
        connectlyHeaders(secretOf(connectly), body),
      );
      const wrong = await post('connectly', connectly.id, body, connectlyHeaders('nope', body));

      expect([plain.statusCode, json.statusCode, wrong.statusCode]).toEqual([200, 200, 401]);
      const envelope = await storedEnvelope(plain.json<{ id: string }>().id);
      expect(envelope.contentType).toBe('text/plain');
    });
  });

  describe('CubeConnect', () => {
    it('verifies the timestamped hex HMAC and refuses a stale timestamp', async () => {
      const body = readFixture('cubeconnect/message-status-updated.json');
      const fresh = await post(
        'cubeconnect',
        cube.id,
        body,
        cubeConnectHeaders(secretOf(cube), body),
      );
      const stale = await post(
        'cubeconnect',
        cube.id,
        body,
        cubeConnectHeaders(secretOf(cube), body, new Date(Date.now() - 6 * 60_000)),
      );
      const tampered = await post(
        'cubeconnect',
        cube.id,
        Buffer.from(`${body.toString()} `),
        cubeConnectHeaders(secretOf(cube), body),
      );

      expect(fresh.statusCode).toBe(200);
      expect(stale.statusCode).toBe(401);
      expect(stale.json().error.code).toBe('timestamp_stale');
      expect(tampered.json().error.code).toBe('signature_invalid');
    });
  });

  describe('Standard Webhooks', () => {
    it('verifies signatures made by the standardwebhooks library, among several', async () => {
      const body = readFixture('standard/campaign-started.json');
      const signer = new Webhook(secretOf(standard));
      const id = `msg_${randomUUID()}`;
      const now = new Date();
      const signature = signer.sign(id, now, body.toString());
      const headers = {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': `v1,${Buffer.from('another key').toString('base64')} ${signature}`,
      };

      const ok = await post('standard', standard.id, body, headers);
      const stale = await post('standard', standard.id, body, {
        ...headers,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000) - 600),
      });
      const unsigned = await post('standard', standard.id, body, {
        ...headers,
        'webhook-signature': `v1,${Buffer.from('x'.repeat(32)).toString('base64')}`,
      });

      expect(ok.statusCode).toBe(200);
      expect(stale.json().error.code).toBe('timestamp_stale');
      expect(unsigned.json().error.code).toBe('signature_invalid');
    });
  });

  describe('Cunnekt (static token)', () => {
    const json = { 'content-type': 'application/json' };
    const bearer = (s: typeof meta) => ({ ...json, authorization: `Bearer ${secretOf(s)}` });

    it('stores a channel webhook sent with the source token, as sandbox for the sandbox source', async () => {
      // given Cunnekt's sandbox channel webhook (Meta's format) with the sandbox source's token
      const body = readFixture('cunnekt/sandbox-text-message.json');

      // when it is posted to the sandbox source
      const res = await post('meta', cunnektSandbox.id, body, bearer(cunnektSandbox));

      // then it is stored as a sandbox webhook, byte for byte, without the token
      expect(res.statusCode).toBe(200);
      const envelope = await storedEnvelope(res.json<{ id: string }>().id);
      expect(envelope).toMatchObject({
        sourceId: cunnektSandbox.id,
        provider: 'meta',
        environment: 'sandbox',
      });
      expect(Buffer.from(envelope.body, 'base64').equals(body)).toBe(true);
      expect(JSON.stringify(envelope)).not.toContain(secretOf(cunnektSandbox));
    });

    it('keeps sandbox and production apart: each source takes only its own token', async () => {
      // given a production webhook and each environment's token
      const body = readFixture('cunnekt/production-status-delivered.json');

      // when the sandbox token is sent to the production source, and the other way round
      const crossed = await post('meta', cunnektProduction.id, body, bearer(cunnektSandbox));
      const crossedBack = await post('meta', cunnektSandbox.id, body, bearer(cunnektProduction));
      const own = await post('meta', cunnektProduction.id, body, bearer(cunnektProduction));

      // then only the source's own token is taken, and the webhook is stored as production
      expect([crossed.statusCode, crossedBack.statusCode, own.statusCode]).toEqual([401, 401, 200]);
      expect(crossed.json().error.code).toBe('token_invalid');
      const envelope = await storedEnvelope(own.json<{ id: string }>().id);
      expect(envelope.environment).toBe('production');
      // and the refusal is recorded without the token
      const record = await rejection(cunnektProduction.id, 'token_invalid');
      expect(JSON.stringify(record)).not.toContain(secretOf(cunnektSandbox));
    });

    it("refuses a token source's request without its token, even one carrying Meta's signature", async () => {
      const body = readFixture('cunnekt/sandbox-text-message.json');
      const signedOnly = await post(
        'meta',
        cunnektSandbox.id,
        body,
        metaHeaders(secretOf(cunnektSandbox), body),
      );
      const none = await post('meta', cunnektSandbox.id, body, json);

      expect(signedOnly.statusCode).toBe(401);
      expect(signedOnly.json().error.code).toBe('token_missing');
      expect(none.json().error.code).toBe('token_missing');
    });

    it('takes channel webhooks and platform events on one URL, each stored for its mapper', async () => {
      // given Cunnekt's channel webhook and a platform event, both sent to the one endpoint
      const channel = readFixture('cunnekt/sandbox-text-message.json');
      const platform = readFixture('cunnekt/platform-conversation-assigned.json');

      // when both are posted with the source's token
      const a = await post('meta', cunnektShared.id, channel, bearer(cunnektShared));
      const b = await post('meta', cunnektShared.id, platform, bearer(cunnektShared));

      // then the channel webhook is stored for the meta mapper, the platform event for standard's
      expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
      const stored = await Promise.all(
        [a, b].map((res) => storedEnvelope(res.json<{ id: string }>().id)),
      );
      expect(stored.map((e) => [e.route, e.provider])).toEqual([
        ['meta', 'meta'],
        ['meta', 'standard'],
      ]);
    });

    it('takes platform events on the standard route with the token in a named header', async () => {
      // given a Cunnekt platform event and the source's token in x-cunnekt-token
      const body = readFixture('cunnekt/platform-conversation-assigned.json');
      const headers = { ...json, 'x-cunnekt-token': secretOf(cunnektPlatform) };

      // when it is posted, and again with the token as a bearer instead
      const res = await post('standard', cunnektPlatform.id, body, headers);
      const elsewhere = await post('standard', cunnektPlatform.id, body, bearer(cunnektPlatform));

      // then the first is stored and the second is missing its token
      expect(res.statusCode).toBe(200);
      await storedEnvelope(res.json<{ id: string }>().id);
      expect(elsewhere.statusCode).toBe(401);
      expect(elsewhere.json().error.code).toBe('token_missing');
    });
  });
});
