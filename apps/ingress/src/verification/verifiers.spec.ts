import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { constantTimeEqual, fromBase64, fromHex, hmacSha256, secretsEqual } from './hmac';
import type { InboundRequest, VerificationResult } from './verification';
import {
  headerTokenVerifier,
  type VerificationContext,
  verifyConnectly,
  verifyCubeConnect,
  verifyMeta,
  verifyOnPrem,
  verifyStandard,
} from './verifiers';

// Expected signatures are computed here with node:crypto directly, never with the code under test.
function hmac(key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

const now = new Date('2026-11-21T12:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);

function context(secrets: readonly string[], overrides: Partial<VerificationContext> = {}) {
  return { secrets, now, toleranceSeconds: 300, ...overrides };
}

function request(
  headers: InboundRequest['headers'],
  body: Buffer | string,
  query: InboundRequest['query'] = {},
): InboundRequest {
  return { headers, query, body: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

/** Flips the low bit of one byte in the middle of the body. */
function tamper(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  const at = Math.floor(copy.length / 2);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

const body = Buffer.from(
  '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages"}]}]}',
);

/** Multi-byte characters (é, 👋) next to bytes that are not valid UTF-8 (0xff 0xfe, a lone 0xc3). */
const rawBody = Buffer.concat([
  Buffer.from('{"text":"héllo 👋 '),
  Buffer.from([0xff, 0xfe, 0xc3]),
  Buffer.from('"}'),
]);

function failure(result: VerificationResult): string | undefined {
  return result.ok ? undefined : result.reason;
}

describe(verifyMeta.name, () => {
  const secret = 'meta-app-secret';
  const sign = (payload: Buffer, key = secret) => `sha256=${hmac(key, payload).toString('hex')}`;

  it('accepts the HMAC-SHA256 of the body in X-Hub-Signature-256', () => {
    // given a request signed with the app secret
    const req = request({ 'x-hub-signature-256': sign(body) }, body);

    // when it is verified
    const result = verifyMeta(req, context([secret]));

    // then it passes
    expect(result).toEqual({ ok: true });
  });

  it('rejects a signature made with another secret', () => {
    // given a request signed with a secret the source does not hold
    const req = request({ 'x-hub-signature-256': sign(body, 'someone-else') }, body);

    // when it is verified, then the signature is invalid
    expect(failure(verifyMeta(req, context([secret])))).toBe('signature_invalid');
  });

  it('rejects a body with one byte changed after signing', () => {
    // given a valid signature over the original body, sent with a tampered body
    const req = request({ 'x-hub-signature-256': sign(body) }, tamper(body));

    // then verification fails
    expect(failure(verifyMeta(req, context([secret])))).toBe('signature_invalid');
  });

  it('reports a missing header as signature_missing', () => {
    // given an unsigned request (and one with an empty header)
    const none = request({}, body);
    const empty = request({ 'x-hub-signature-256': '' }, body);

    // then both are reported as missing a signature
    expect(failure(verifyMeta(none, context([secret])))).toBe('signature_missing');
    expect(failure(verifyMeta(empty, context([secret])))).toBe('signature_missing');
  });

  it.each([
    ['no sha256= prefix', () => hmac(secret, body).toString('hex')],
    ['a sha1= prefix', () => `sha1=${hmac(secret, body).toString('hex')}`],
    ['base64 instead of hex', () => `sha256=${hmac(secret, body).toString('base64')}`],
    ['non-hex characters', () => `sha256=${'zz'.repeat(32)}`],
    ['an odd number of hex digits', () => `sha256=${hmac(secret, body).toString('hex').slice(1)}`],
    ['a valid digest followed by junk', () => `${sign(body)}zz`],
    ['an empty digest', () => 'sha256='],
  ])('rejects a header with %s', (_, header) => {
    // given a malformed signature header
    const req = request({ 'x-hub-signature-256': header() }, body);

    // then it never verifies
    expect(failure(verifyMeta(req, context([secret])))).toBe('signature_invalid');
  });

  it('accepts a signature made with any of the live secrets during a rotation', () => {
    // given a source with an old and a new secret
    const secrets = ['old-secret', 'new-secret'];

    // when requests arrive signed with either one
    const withOld = request({ 'x-hub-signature-256': sign(body, 'old-secret') }, body);
    const withNew = request({ 'x-hub-signature-256': sign(body, 'new-secret') }, body);
    const withRetired = request({ 'x-hub-signature-256': sign(body, 'retired-secret') }, body);

    // then both live secrets verify and a retired one does not
    expect(verifyMeta(withOld, context(secrets)).ok).toBe(true);
    expect(verifyMeta(withNew, context(secrets)).ok).toBe(true);
    expect(failure(verifyMeta(withRetired, context(secrets)))).toBe('signature_invalid');
  });

  it('verifies over the raw bytes, including invalid UTF-8 and multi-byte characters', () => {
    // given a body that does not survive a round trip through a UTF-8 string
    expect(Buffer.from(rawBody.toString('utf8'))).not.toEqual(rawBody);

    // when it is signed over its raw bytes, and separately over its decoded text
    const overBytes = request({ 'x-hub-signature-256': sign(rawBody) }, rawBody);
    const overText = request(
      { 'x-hub-signature-256': sign(Buffer.from(rawBody.toString('utf8'))) },
      rawBody,
    );

    // then only the signature over the raw bytes verifies
    expect(verifyMeta(overBytes, context([secret])).ok).toBe(true);
    expect(failure(verifyMeta(overText, context([secret])))).toBe('signature_invalid');
  });

  it('uses the first value when the header is repeated', () => {
    // given a repeated header whose first value is the valid signature
    const req = request({ 'x-hub-signature-256': [sign(body), 'sha256=00'] }, body);

    // then the request verifies
    expect(verifyMeta(req, context([secret])).ok).toBe(true);
  });
});

describe(verifyOnPrem.name, () => {
  const secret = 'onprem-token-0123456789';

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])(
    'accepts the token as Authorization: %s <token>',
    (scheme) => {
      // given the token in an Authorization header with the scheme in any case
      const req = request({ authorization: `${scheme} ${secret}` }, body);

      // then it verifies
      expect(verifyOnPrem(req, context([secret]))).toEqual({ ok: true });
    },
  );

  it('accepts the token as ?token=', () => {
    // given the token in the query string only
    const req = request({}, body, { token: secret });

    // then it verifies
    expect(verifyOnPrem(req, context([secret]))).toEqual({ ok: true });
  });

  it('rejects a wrong token whichever way it is sent', () => {
    // given a wrong token as a bearer and as a query parameter
    const asBearer = request({ authorization: 'Bearer onprem-token-9876543210' }, body);
    const asQuery = request({}, body, { token: 'onprem-token-9876543210' });

    // then both are invalid
    expect(failure(verifyOnPrem(asBearer, context([secret])))).toBe('token_invalid');
    expect(failure(verifyOnPrem(asQuery, context([secret])))).toBe('token_invalid');
  });

  it('lets the bearer token take precedence over ?token=', () => {
    // given a wrong bearer token with the right query token, and the other way round
    const wrongBearer = request({ authorization: 'Bearer wrong' }, body, { token: secret });
    const rightBearer = request({ authorization: `Bearer ${secret}` }, body, { token: 'wrong' });

    // then only the bearer token decides
    expect(failure(verifyOnPrem(wrongBearer, context([secret])))).toBe('token_invalid');
    expect(verifyOnPrem(rightBearer, context([secret])).ok).toBe(true);
  });

  it.each([
    ['shorter', secret.slice(0, -1)],
    ['longer', `${secret}x`],
    ['empty-ish', 'x'],
    ['much longer', secret.repeat(10)],
  ])('rejects a %s token without throwing', (_, token) => {
    // given a token whose length differs from the secret's
    const req = request({ authorization: `Bearer ${token}` }, body);

    // then it is simply invalid
    expect(failure(verifyOnPrem(req, context([secret])))).toBe('token_invalid');
  });

  it('reports a request with no token as token_missing', () => {
    // given no token at all, an empty query token, a non-bearer scheme, and a bearer with no value
    const cases = [
      request({}, body),
      request({}, body, { token: '' }),
      request({ authorization: `Basic ${Buffer.from(`u:${secret}`).toString('base64')}` }, body),
      request({ authorization: 'Bearer    ' }, body),
    ];

    // then each is missing its token
    for (const req of cases) {
      expect(failure(verifyOnPrem(req, context([secret])))).toBe('token_missing');
    }
  });

  it('accepts any of several live tokens', () => {
    // given two live tokens
    const secrets = ['token-a', 'token-b'];

    // then each verifies, and a third does not
    expect(verifyOnPrem(request({}, body, { token: 'token-a' }), context(secrets)).ok).toBe(true);
    expect(verifyOnPrem(request({}, body, { token: 'token-b' }), context(secrets)).ok).toBe(true);
    expect(failure(verifyOnPrem(request({}, body, { token: 'token-c' }), context(secrets)))).toBe(
      'token_invalid',
    );
  });
});

describe(headerTokenVerifier.name, () => {
  const token = 'cunnekt-sandbox-token-0123456789';

  it.each([
    ['Authorization: Bearer <token>', 'authorization', `Bearer ${token}`],
    ['Authorization: bearer <token>', 'authorization', `bearer ${token}`],
    ['Authorization: <token>', 'authorization', token],
    ['a named header', 'x-cunnekt-token', token],
    ['a named header with surrounding spaces', 'x-cunnekt-token', `  ${token} `],
  ])('accepts the token as %s', (_case, name, value) => {
    // given a source verified by the token in this header
    const verify = headerTokenVerifier(name);

    // then the request verifies, whatever its body
    expect(verify(request({ [name]: value }, rawBody), context([token]))).toEqual({ ok: true });
  });

  it('rejects another token, one of another length, and one sent in another header', () => {
    const verify = headerTokenVerifier('x-cunnekt-token');
    const production = 'cunnekt-production-token-987654';

    expect(
      failure(verify(request({ 'x-cunnekt-token': production }, body), context([token]))),
    ).toBe('token_invalid');
    expect(failure(verify(request({ 'x-cunnekt-token': 'x' }, body), context([token])))).toBe(
      'token_invalid',
    );
    expect(
      failure(verify(request({ authorization: `Bearer ${token}` }, body), context([token]))),
    ).toBe('token_missing');
    // and a bearer token is not taken from a header other than authorization
    expect(
      failure(verify(request({ 'x-cunnekt-token': `Bearer ${token}` }, body), context([token]))),
    ).toBe('token_invalid');
  });

  it('reports an absent or empty token as token_missing', () => {
    const verify = headerTokenVerifier('authorization');
    for (const headers of [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer   ' },
    ]) {
      expect(failure(verify(request(headers, body), context([token])))).toBe('token_missing');
    }
  });

  it('accepts any of several live tokens during a rotation', () => {
    const verify = headerTokenVerifier('authorization');
    const secrets = ['token-old-0123456789', 'token-new-0123456789'];
    for (const live of secrets) {
      expect(verify(request({ authorization: `Bearer ${live}` }, body), context(secrets)).ok).toBe(
        true,
      );
    }
  });
});

describe(verifyConnectly.name, () => {
  const secret = 'connectly-secret';
  const sign = (payload: Buffer, key = secret) => hmac(key, payload).toString('base64');

  it('accepts the base64 HMAC-SHA256 of the body in x-connectly-hmac-sha256', () => {
    // given a request signed with the source secret
    const req = request({ 'x-connectly-hmac-sha256': sign(body) }, body);

    // then it verifies
    expect(verifyConnectly(req, context([secret]))).toEqual({ ok: true });
  });

  it('tolerates surrounding whitespace in the header', () => {
    const req = request({ 'x-connectly-hmac-sha256': ` ${sign(body)} ` }, body);
    expect(verifyConnectly(req, context([secret])).ok).toBe(true);
  });

  it('rejects a wrong secret and a tampered body', () => {
    // given a signature by another secret, and a valid signature over a different body
    const wrongSecret = request({ 'x-connectly-hmac-sha256': sign(body, 'other') }, body);
    const tampered = request({ 'x-connectly-hmac-sha256': sign(body) }, tamper(body));

    // then neither verifies
    expect(failure(verifyConnectly(wrongSecret, context([secret])))).toBe('signature_invalid');
    expect(failure(verifyConnectly(tampered, context([secret])))).toBe('signature_invalid');
  });

  it('reports a missing header as signature_missing', () => {
    expect(failure(verifyConnectly(request({}, body), context([secret])))).toBe(
      'signature_missing',
    );
    expect(
      failure(verifyConnectly(request({ 'x-connectly-hmac-sha256': '' }, body), context([secret]))),
    ).toBe('signature_missing');
  });

  it.each([
    ['hex instead of base64', () => hmac(secret, body).toString('hex')],
    ['characters outside base64', () => `${sign(body).slice(0, -2)}!!`],
    ['a sha256= prefix', () => `sha256=${sign(body)}`],
    ['a space inside', () => `${sign(body).slice(0, 10)} ${sign(body).slice(10)}`],
    ['too much padding', () => `${sign(body)}==`],
  ])('rejects a header with %s', (_, header) => {
    // given a malformed signature header
    const req = request({ 'x-connectly-hmac-sha256': header() }, body);

    // then it never verifies
    expect(failure(verifyConnectly(req, context([secret])))).toBe('signature_invalid');
  });

  it('accepts any of several live secrets', () => {
    const secrets = ['first', 'second'];
    const req = request({ 'x-connectly-hmac-sha256': sign(body, 'second') }, body);
    expect(verifyConnectly(req, context(secrets)).ok).toBe(true);
  });

  it('verifies over the raw bytes, including invalid UTF-8 and multi-byte characters', () => {
    // given signatures over the raw bytes and over the lossily decoded text
    const overBytes = request({ 'x-connectly-hmac-sha256': sign(rawBody) }, rawBody);
    const overText = request(
      { 'x-connectly-hmac-sha256': sign(Buffer.from(rawBody.toString('utf8'))) },
      rawBody,
    );

    // then only the raw-byte signature verifies
    expect(verifyConnectly(overBytes, context([secret])).ok).toBe(true);
    expect(failure(verifyConnectly(overText, context([secret])))).toBe('signature_invalid');
  });
});

describe(verifyCubeConnect.name, () => {
  const secret = 'cube-secret';
  const sign = (timestamp: string, payload: Buffer, key = secret) =>
    hmac(key, `${timestamp}.`, payload).toString('hex');
  const signed = (timestamp: string, payload: Buffer = body, key = secret) =>
    request(
      { 'x-webhook-signature': sign(timestamp, payload, key), 'x-webhook-timestamp': timestamp },
      payload,
    );

  it('accepts the hex HMAC-SHA256 of "{timestamp}.{body}"', () => {
    // given a request signed now with an ISO 8601 timestamp
    const req = signed('2026-11-21T12:00:00Z');

    // then it verifies
    expect(verifyCubeConnect(req, context([secret]))).toEqual({ ok: true });
  });

  it('accepts the signature with a sha256= prefix', () => {
    const timestamp = '2026-11-21T12:00:00Z';
    const req = request(
      {
        'x-webhook-signature': `sha256=${sign(timestamp, body)}`,
        'x-webhook-timestamp': timestamp,
      },
      body,
    );
    expect(verifyCubeConnect(req, context([secret])).ok).toBe(true);
  });

  it('rejects a wrong secret and a tampered body', () => {
    const timestamp = '2026-11-21T12:00:00Z';
    const tampered = request(
      { 'x-webhook-signature': sign(timestamp, body), 'x-webhook-timestamp': timestamp },
      tamper(body),
    );
    expect(failure(verifyCubeConnect(signed(timestamp, body, 'other'), context([secret])))).toBe(
      'signature_invalid',
    );
    expect(failure(verifyCubeConnect(tampered, context([secret])))).toBe('signature_invalid');
  });

  it('covers the timestamp with the signature, so it cannot be replaced', () => {
    // given a signature made for one timestamp, replayed with another fresh one
    const req = request(
      {
        'x-webhook-signature': sign('2026-11-21T11:59:00Z', body),
        'x-webhook-timestamp': '2026-11-21T12:00:00Z',
      },
      body,
    );

    // then it does not verify
    expect(failure(verifyCubeConnect(req, context([secret])))).toBe('signature_invalid');
  });

  it('reports missing headers', () => {
    // given a request without a signature, and one without a timestamp
    const noSignature = request({ 'x-webhook-timestamp': '2026-11-21T12:00:00Z' }, body);
    const noTimestamp = request(
      { 'x-webhook-signature': sign('2026-11-21T12:00:00Z', body) },
      body,
    );

    // then each names what is missing
    expect(failure(verifyCubeConnect(noSignature, context([secret])))).toBe('signature_missing');
    expect(failure(verifyCubeConnect(noTimestamp, context([secret])))).toBe('timestamp_missing');
  });

  it.each([
    ['not hex', 'zz'.repeat(32)],
    ['base64', hmac(secret, '2026-11-21T12:00:00Z.', body).toString('base64')],
    ['empty after the prefix', 'sha256='],
    ['odd length', sign('2026-11-21T12:00:00Z', body).slice(1)],
  ])('rejects a signature that is %s', (_, signature) => {
    const req = request(
      { 'x-webhook-signature': signature, 'x-webhook-timestamp': '2026-11-21T12:00:00Z' },
      body,
    );
    expect(failure(verifyCubeConnect(req, context([secret])))).toBe('signature_invalid');
  });

  it('rejects a timestamp that is not a time', () => {
    expect(failure(verifyCubeConnect(signed('yesterday'), context([secret])))).toBe(
      'timestamp_stale',
    );
  });

  it.each([
    // ISO 8601 with an offset: 13:04:59+01:00 is 12:04:59Z
    ['ISO, 299 s ahead', '2026-11-21T13:04:59+01:00', true],
    ['ISO, 301 s ahead', '2026-11-21T13:05:01+01:00', false],
    ['ISO, 299 s behind', '2026-11-21T06:55:01-05:00', true],
    ['ISO, 301 s behind', '2026-11-21T06:54:59-05:00', false],
    ['unix seconds, 299 s ahead', String(nowSeconds + 299), true],
    ['unix seconds, 301 s ahead', String(nowSeconds + 301), false],
    ['unix seconds, 299 s behind', String(nowSeconds - 299), true],
    ['unix seconds, 301 s behind', String(nowSeconds - 301), false],
  ])('with a tolerance of 300 s, a timestamp %s (%s) is accepted: %s', (_, timestamp, accepted) => {
    // given a correctly signed request whose timestamp is near the edge of the tolerance
    const req = signed(timestamp);

    // when it is verified at `now`
    const result = verifyCubeConnect(req, context([secret], { toleranceSeconds: 300 }));

    // then it passes inside the window and is stale outside it
    expect(failure(result)).toBe(accepted ? undefined : 'timestamp_stale');
  });

  it('accepts any of several live secrets', () => {
    const req = signed('2026-11-21T12:00:00Z', body, 'second');
    expect(verifyCubeConnect(req, context(['first', 'second'])).ok).toBe(true);
  });

  it('verifies over the raw bytes, including invalid UTF-8 and multi-byte characters', () => {
    const timestamp = '2026-11-21T12:00:00Z';
    const overText = request(
      {
        'x-webhook-signature': sign(timestamp, Buffer.from(rawBody.toString('utf8'))),
        'x-webhook-timestamp': timestamp,
      },
      rawBody,
    );
    expect(verifyCubeConnect(signed(timestamp, rawBody), context([secret])).ok).toBe(true);
    expect(failure(verifyCubeConnect(overText, context([secret])))).toBe('signature_invalid');
  });
});

describe(verifyStandard.name, () => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef');
  const secret = `whsec_${key.toString('base64')}`;
  const id = 'msg_2p8n5ZLhdtJUjcH0q5BBNhVdyZk';
  const sign = (timestamp: string | number, payload: Buffer, k: Buffer = key) =>
    `v1,${hmac(k, `${id}.${timestamp}.`, payload).toString('base64')}`;
  const signedRequest = (
    signature: string,
    timestamp: string | number = nowSeconds,
    payload: Buffer = body,
  ) =>
    request(
      {
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signature,
      },
      payload,
    );

  it('accepts a v1 signature over "{id}.{timestamp}.{body}" with the decoded whsec_ key', () => {
    // given a request signed with the key bytes that the whsec_ secret encodes
    const req = signedRequest(sign(nowSeconds, body));

    // then it verifies
    expect(verifyStandard(req, context([secret]))).toEqual({ ok: true });
  });

  it('decodes the whsec_ secret rather than using its text as the key', () => {
    // given a signature made with the literal secret string as the key
    const req = signedRequest(sign(nowSeconds, body, Buffer.from(secret)));

    // then it does not verify against the whsec_ secret
    expect(failure(verifyStandard(req, context([secret])))).toBe('signature_invalid');
  });

  it('uses a secret without the whsec_ prefix as raw key bytes', () => {
    const raw = 'plain-shared-secret';
    const req = signedRequest(sign(nowSeconds, body, Buffer.from(raw)));
    expect(verifyStandard(req, context([raw])).ok).toBe(true);
  });

  it('rejects a wrong secret and a tampered body', () => {
    const otherKey = Buffer.from('fedcba9876543210fedcba9876543210');
    const wrongSecret = signedRequest(sign(nowSeconds, body, otherKey));
    const tampered = signedRequest(sign(nowSeconds, body), nowSeconds, tamper(body));
    expect(failure(verifyStandard(wrongSecret, context([secret])))).toBe('signature_invalid');
    expect(failure(verifyStandard(tampered, context([secret])))).toBe('signature_invalid');
  });

  it('covers the id and timestamp with the signature', () => {
    // given a valid signature sent with a different id, and with a different (fresh) timestamp
    const otherId = request(
      {
        'webhook-id': 'msg_other',
        'webhook-timestamp': String(nowSeconds),
        'webhook-signature': sign(nowSeconds, body),
      },
      body,
    );
    const otherTimestamp = signedRequest(sign(nowSeconds, body), nowSeconds - 1);

    // then neither verifies
    expect(failure(verifyStandard(otherId, context([secret])))).toBe('signature_invalid');
    expect(failure(verifyStandard(otherTimestamp, context([secret])))).toBe('signature_invalid');
  });

  it('accepts a header with several signatures when one of them matches', () => {
    // given two stale-key signatures around the matching one
    const otherKey = Buffer.from('fedcba9876543210fedcba9876543210');
    const header = [
      sign(nowSeconds, body, otherKey),
      sign(nowSeconds, body),
      sign(nowSeconds, body, Buffer.from('third')),
    ].join(' ');

    // then the request verifies
    expect(verifyStandard(signedRequest(header), context([secret])).ok).toBe(true);
  });

  it('rejects a header with several signatures when none matches', () => {
    const header = [
      sign(nowSeconds, body, Buffer.from('a')),
      sign(nowSeconds, body, Buffer.from('b')),
    ].join(' ');
    expect(failure(verifyStandard(signedRequest(header), context([secret])))).toBe(
      'signature_invalid',
    );
  });

  it('ignores entries of other versions, even when they carry the right digest', () => {
    // given the correct digest labelled v2, alone and next to a wrong v1 entry
    const digest = sign(nowSeconds, body).slice('v1,'.length);
    const onlyV2 = signedRequest(`v2,${digest}`);
    const v2AndWrongV1 = signedRequest(
      `v2,${digest} ${sign(nowSeconds, body, Buffer.from('wrong'))}`,
    );
    const v2AndRightV1 = signedRequest(`v2,${digest} ${sign(nowSeconds, body)}`);

    // then only a matching v1 entry counts
    expect(failure(verifyStandard(onlyV2, context([secret])))).toBe('signature_invalid');
    expect(failure(verifyStandard(v2AndWrongV1, context([secret])))).toBe('signature_invalid');
    expect(verifyStandard(v2AndRightV1, context([secret])).ok).toBe(true);
  });

  it('reports missing headers', () => {
    const full = {
      'webhook-id': id,
      'webhook-timestamp': String(nowSeconds),
      'webhook-signature': sign(nowSeconds, body),
    };
    const without = (name: keyof typeof full) => {
      const headers: InboundRequest['headers'] = { ...full };
      delete headers[name];
      return request(headers, body);
    };
    expect(failure(verifyStandard(without('webhook-id'), context([secret])))).toBe(
      'signature_missing',
    );
    expect(failure(verifyStandard(without('webhook-signature'), context([secret])))).toBe(
      'signature_missing',
    );
    expect(failure(verifyStandard(without('webhook-timestamp'), context([secret])))).toBe(
      'timestamp_missing',
    );
  });

  it.each([
    ['not base64', 'v1,!!!not-base64!!!'],
    ['empty', 'v1,'],
    ['hex', `v1,${hmac(key, `${id}.${nowSeconds}.`, body).toString('hex')}`],
    ['unversioned', hmac(key, `${id}.${nowSeconds}.`, body).toString('base64')],
  ])('rejects a signature that is %s', (_, signature) => {
    expect(failure(verifyStandard(signedRequest(signature), context([secret])))).toBe(
      'signature_invalid',
    );
  });

  it.each([
    ['ISO 8601', '2026-11-21T12:00:00Z'],
    ['fractional', `${nowSeconds}.0`],
    ['milliseconds', String(now.getTime())],
    ['negative', `-${nowSeconds}`],
  ])('rejects a timestamp that is not unix seconds (%s)', (_, timestamp) => {
    const req = signedRequest(sign(timestamp, body), timestamp);
    expect(failure(verifyStandard(req, context([secret])))).toBe('timestamp_stale');
  });

  it.each([
    ['299 s ahead', 299, true],
    ['301 s ahead', 301, false],
    ['299 s behind', -299, true],
    ['301 s behind', -301, false],
  ])(
    'with a tolerance of 300 s, a timestamp %s (offset %i s) is accepted: %s',
    (_, offset, accepted) => {
      // given a correctly signed request whose timestamp is near the edge of the tolerance
      const timestamp = nowSeconds + offset;
      const req = signedRequest(sign(timestamp, body), timestamp);

      // then it passes inside the window and is stale outside it
      expect(failure(verifyStandard(req, context([secret])))).toBe(
        accepted ? undefined : 'timestamp_stale',
      );
    },
  );

  it('accepts any of several live secrets', () => {
    const newKey = Buffer.from('new key bytes, thirty-two long!!');
    const secrets = [secret, `whsec_${newKey.toString('base64')}`];
    const req = signedRequest(sign(nowSeconds, body, newKey));
    expect(verifyStandard(req, context(secrets)).ok).toBe(true);
  });

  it('verifies over the raw bytes, including invalid UTF-8 and multi-byte characters', () => {
    const overBytes = signedRequest(sign(nowSeconds, rawBody), nowSeconds, rawBody);
    const overText = signedRequest(
      sign(nowSeconds, Buffer.from(rawBody.toString('utf8'))),
      nowSeconds,
      rawBody,
    );
    expect(verifyStandard(overBytes, context([secret])).ok).toBe(true);
    expect(failure(verifyStandard(overText, context([secret])))).toBe('signature_invalid');
  });

  describe('interoperability with the standardwebhooks library', () => {
    const payload = '{"type":"whatsapp.message.received","data":{"text":"héllo 👋 你好"}}';

    afterEach(() => jest.restoreAllMocks());

    it('verifies signatures the library produces', () => {
      // given a signature made by the reference implementation
      const signature = new Webhook(secret).sign(id, now, payload);
      const req = signedRequest(signature, nowSeconds, Buffer.from(payload));

      // then our verifier accepts it
      expect(verifyStandard(req, context([secret]))).toEqual({ ok: true });
    });

    it('verifies one library signature per live secret, as sent during a rotation', () => {
      // given the header a sender holding two secrets would send
      const newSecret = `whsec_${Buffer.from('another 32-byte key for rotation').toString('base64')}`;
      const header = [
        new Webhook(secret).sign(id, now, payload),
        new Webhook(newSecret).sign(id, now, payload),
      ].join(' ');

      // then a receiver holding only the new secret accepts it
      const req = signedRequest(header, nowSeconds, Buffer.from(payload));
      expect(verifyStandard(req, context([newSecret])).ok).toBe(true);
    });

    it.each([
      ['now', 0, true],
      ['300 s old', -300, true],
      ['300 s ahead', 300, true],
      ['301 s old', -301, false],
      ['301 s ahead', 301, false],
      ['a day old', -86_400, false],
      ['an hour ahead', 3_600, false],
    ])(
      'agrees with the library on a timestamp %s (offset %i s, library accepts: %s)',
      (_, offset, accepts) => {
        // given a request the library signed at a timestamp `offset` seconds from now
        const signedAt = new Date((nowSeconds + offset) * 1000);
        const signature = new Webhook(secret).sign(id, signedAt, payload);
        const headers = {
          'webhook-id': id,
          'webhook-timestamp': String(nowSeconds + offset),
          'webhook-signature': signature,
        };

        // when the library verifies it at `now` (it reads the clock itself)
        jest.spyOn(Date, 'now').mockReturnValue(now.getTime());
        let libraryAccepts = true;
        try {
          new Webhook(secret).verify(payload, headers);
        } catch {
          libraryAccepts = false;
        }

        // then the library behaves as the table says, and our verifier agrees with it
        expect(libraryAccepts).toBe(accepts);
        const ours = verifyStandard(request(headers, payload), context([secret]));
        expect(ours.ok).toBe(libraryAccepts);
        if (!libraryAccepts) expect(failure(ours)).toBe('timestamp_stale');
      },
    );

    it('rejects what the library rejects for a wrong key', () => {
      // given a library signature made with a key the receiver does not hold
      const other = `whsec_${Buffer.from('a completely different key......').toString('base64')}`;
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(nowSeconds),
        'webhook-signature': new Webhook(other).sign(id, now, payload),
      };
      jest.spyOn(Date, 'now').mockReturnValue(now.getTime());

      // then both the library and our verifier refuse it
      expect(() => new Webhook(secret).verify(payload, headers)).toThrow();
      expect(failure(verifyStandard(request(headers, payload), context([secret])))).toBe(
        'signature_invalid',
      );
    });
  });
});

describe(fromHex.name, () => {
  it('decodes an even run of hex digits in either case', () => {
    expect(fromHex('00ff7fAB')).toEqual(Buffer.from([0x00, 0xff, 0x7f, 0xab]));
  });

  it.each([
    ['empty', ''],
    ['odd length', 'abc'],
    ['non-hex characters', 'zz'],
    ['valid hex followed by junk', 'abzz'],
    ['a space', 'ab cd'],
    ['a 0x prefix', '0xabcd'],
  ])('gives an empty buffer for %s input', (_, value) => {
    expect(fromHex(value)).toHaveLength(0);
  });
});

describe(fromBase64.name, () => {
  it('decodes standard base64 with or without padding', () => {
    expect(fromBase64('aGVsbG8=').toString()).toBe('hello');
    expect(fromBase64('aGVsbG8').toString()).toBe('hello');
    expect(fromBase64('+/+/')).toEqual(Buffer.from([0xfb, 0xff, 0xbf]));
  });

  it.each([
    ['empty', ''],
    ['base64url characters', '-_-_'],
    ['a space', 'aGVs bG8='],
    ['three padding characters', 'aGVsbG8==='],
    ['padding in the middle', 'aG=VsbG8'],
    ['only padding', '=='],
    ['non-alphabet characters', 'aGVs!bG8'],
  ])('gives an empty buffer for %s input', (_, value) => {
    expect(fromBase64(value)).toHaveLength(0);
  });
});

describe(constantTimeEqual.name, () => {
  it('is true only for identical bytes', () => {
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
  });

  it('is false, without throwing, for buffers of different lengths', () => {
    // given a digest and a prefix of it, and an empty buffer from a malformed header
    const digest = hmac('k', 'data');

    // then neither compares equal
    expect(constantTimeEqual(digest, digest.subarray(0, 31))).toBe(false);
    expect(constantTimeEqual(Buffer.alloc(0), digest)).toBe(false);
    expect(constantTimeEqual(digest, Buffer.concat([digest, Buffer.from([0])]))).toBe(false);
  });
});

describe(secretsEqual.name, () => {
  it('compares secrets of any length', () => {
    expect(secretsEqual('token', 'token')).toBe(true);
    expect(secretsEqual('token', 'token!')).toBe(false);
    expect(secretsEqual('', 'token')).toBe(false);
  });
});

describe(hmacSha256.name, () => {
  it('signs the concatenation of its parts', () => {
    expect(hmacSha256('key', 'a.', Buffer.from('b'))).toEqual(hmac('key', 'a.b'));
  });
});
