import { createHmac } from 'node:crypto';

import { encode } from './codec';
import { examples } from './examples';
import { REDACTED } from './headers';
import {
  RawInboundEnvelope,
  type RawEnvelopeInput,
  createRawEnvelope,
  encodeRawEnvelope,
  rawBodyBytes,
  rawBodyIntact,
  sha256Hex,
} from './raw-inbound';
import { InboundRawTopic } from './topics';

const baseInput = {
  sourceId: 'src_onprem_cbot',
  provider: 'onprem',
  businessId: 'biz_acme',
  environment: 'sandbox',
  contentType: 'application/json',
} as const;

describe('RawInboundEnvelope', () => {
  it('accepts the example envelope', () => {
    expect(RawInboundEnvelope.safeParse(examples.RawInboundEnvelope).success).toBe(true);
  });

  it('accepts an empty body', () => {
    // given
    const envelope = createRawEnvelope({ ...baseInput, body: Buffer.alloc(0) });

    // then
    expect(RawInboundEnvelope.safeParse(envelope).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a non-UUID id', { id: 'raw-1' }, 'id'],
    ['a time without offset', { receivedAt: '2026-03-10T11:30:00' }, 'receivedAt'],
    ['a body that is not base64', { body: 'not base64!' }, 'body'],
    ['an uppercase digest', { bodySha256: 'A'.repeat(64) }, 'bodySha256'],
    ['an unknown provider', { provider: 'twilio' }, 'provider'],
    ['an empty source id', { sourceId: '' }, 'sourceId'],
    ['an uppercase header name', { headers: { 'Content-Type': 'application/json' } }, 'headers'],
  ])('refuses %s', (_label, change, path) => {
    // given
    const envelope = { ...examples.RawInboundEnvelope, ...change };

    // when
    const result = RawInboundEnvelope.safeParse(envelope);

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toContain(path);
  });

  it('refuses a credential header that was not redacted', () => {
    // given
    const envelope = { ...examples.RawInboundEnvelope, headers: { authorization: 'Bearer abc' } };

    // when
    const result = RawInboundEnvelope.safeParse(envelope);

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['headers', 'authorization']);
  });

  it('tolerates fields it does not know (additive evolution) and drops them', () => {
    // given
    const envelope = { ...examples.RawInboundEnvelope, addedLater: true };

    // when
    const result = RawInboundEnvelope.safeParse(envelope);

    // then
    expect(result.success).toBe(true);
    expect(result.data).not.toHaveProperty('addedLater');
  });
});

describe(createRawEnvelope.name, () => {
  it('keeps the exact bytes and their digest', () => {
    // given bytes that are not valid UTF-8 nor JSON
    const body = Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x22]);

    // when
    const envelope = createRawEnvelope({ ...baseInput, body });

    // then
    expect(rawBodyBytes(envelope).equals(body)).toBe(true);
    expect(envelope.bodySha256).toBe(sha256Hex(body));
    expect(rawBodyIntact(envelope)).toBe(true);
    expect(RawInboundEnvelope.safeParse(envelope).success).toBe(true);
  });

  it('assigns an id, the receive time and the route of the provider by default', () => {
    // when
    const envelope = createRawEnvelope({ ...baseInput, body: Buffer.from('{}') });

    // then
    expect(envelope.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(envelope.receivedAt)).not.toBeNaN();
    expect(envelope.route).toBe('onprem');
  });

  it('redacts credential headers and keeps signature headers', () => {
    // when
    const envelope = createRawEnvelope({
      ...baseInput,
      headers: { 'X-Auth-Token': 'secret-token', 'X-Hub-Signature-256': 'sha256=ab' },
      body: Buffer.from('{}'),
    });

    // then
    expect(envelope.headers).toEqual({
      'x-auth-token': REDACTED,
      'x-hub-signature-256': 'sha256=ab',
    });
  });

  it('takes a view of a larger buffer without its neighbouring bytes', () => {
    // given
    const backing = Buffer.from('xx{"a":1}yy');
    const body = backing.subarray(2, 9);

    // when
    const envelope = createRawEnvelope({ ...baseInput, body });

    // then
    expect(rawBodyBytes(envelope).toString()).toBe('{"a":1}');
  });
});

describe(encodeRawEnvelope.name, () => {
  const meta: RawEnvelopeInput = {
    sourceId: examples.RawInboundEnvelope.sourceId,
    provider: 'meta',
    businessId: examples.RawInboundEnvelope.businessId,
    environment: 'production',
    route: 'meta',
    contentType: 'application/json',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=ab' },
    body: rawBodyBytes(examples.RawInboundEnvelope),
  };

  it.each<[string, Partial<RawEnvelopeInput>]>([
    ['a Meta webhook', {}],
    [
      'a given id and receive time with an offset',
      {
        id: examples.RawInboundEnvelope.id,
        receivedAt: '2026-03-10T14:30:00.5+03:00',
      },
    ],
    ['a receive time as a Date', { receivedAt: new Date('2026-11-21T10:00:00.123Z') }],
    ['a leap day', { receivedAt: new Date('2028-02-29T23:59:59.999Z') }],
    ['the earliest time taken as a Date', { receivedAt: new Date('0001-01-01T00:00:00.000Z') }],
    ['the latest time taken as a Date', { receivedAt: new Date('9999-12-31T23:59:59.999Z') }],
    ['an empty body and no content type', { body: Buffer.alloc(0), contentType: undefined }],
    [
      'bytes that are neither UTF-8 nor JSON',
      { body: Buffer.from([0xff, 0x00, 0x22, 0x5c, 0x0a]) },
    ],
    [
      'header values that JSON must escape, non-ASCII and repeated',
      {
        contentType: 'text/plain; charset="utf-8"',
        headers: {
          'user-agent': 'Ünïcode \\ "quoted" \t\u0001 \u2028',
          'x-request-id': ['a', 'b'],
          authorization: 'Bearer secret',
          '123': 'numeric name',
        },
      },
    ],
  ])('gives the envelope and the bytes encode gives, for %s', (_label, change) => {
    // given
    const input = { ...meta, ...change };

    // when
    const { envelope, value } = encodeRawEnvelope(input);

    // then the envelope is the one createRawEnvelope makes (but for a new id and time when
    // none is given), and the bytes are encode's
    const made = createRawEnvelope(input);
    expect(envelope).toEqual({
      ...made,
      id: input.id ?? envelope.id,
      receivedAt: input.receivedAt ? made.receivedAt : envelope.receivedAt,
    });
    expect(value.equals(encode(InboundRawTopic, envelope))).toBe(true);
    expect(rawBodyBytes(envelope).equals(Buffer.from(input.body))).toBe(true);
  });

  it.each<[string, Partial<RawEnvelopeInput>, string]>([
    ['an empty source id', { sourceId: '' }, 'sourceId'],
    ['a business id over 256 characters', { businessId: 'b'.repeat(257) }, 'businessId'],
    ['an unknown provider', { provider: 'twilio' as never }, 'provider'],
    ['an unknown environment', { environment: 'staging' as never }, 'environment'],
    ['a non-UUID id', { id: 'raw-1' }, 'id'],
    ['a time without offset', { receivedAt: '2026-03-10T11:30:00' }, 'receivedAt'],
    ['a time past year 9999', { receivedAt: new Date(Date.UTC(10_000, 0, 1)) }, 'receivedAt'],
    ['a header name that is not a token', { headers: { 'x y': '1' } }, 'headers'],
  ])('refuses %s as the schema does', (_label, change, path) => {
    // when / then
    expect(() => encodeRawEnvelope({ ...meta, ...change })).toThrow(
      expect.objectContaining({
        issues: expect.arrayContaining([
          expect.objectContaining({ path: expect.arrayContaining([path]) }),
        ]),
      }),
    );
  });
});

describe(rawBodyIntact.name, () => {
  it('detects a body that no longer matches its digest', () => {
    // given
    const tampered = {
      ...examples.RawInboundEnvelope,
      body: Buffer.from('{"object":"tampered"}').toString('base64'),
    };

    // then
    expect(rawBodyIntact(tampered)).toBe(false);
  });

  it('decodes the example body back to the Meta payload', () => {
    expect(rawBodyBytes(examples.RawInboundEnvelope).toString('utf8')).toBe(
      examples.metaTextMessageBody,
    );
  });
});

describe('examples.RawInboundEnvelope', () => {
  it('carries a Meta signature that verifies with the example source secret', () => {
    // given
    const body = rawBodyBytes(examples.RawInboundEnvelope);
    const expected = createHmac('sha256', examples.SourceRecord.secrets[0]?.value ?? '')
      .update(body)
      .digest('hex');

    // then
    expect(examples.RawInboundEnvelope.headers['x-hub-signature-256']).toBe(`sha256=${expected}`);
  });
});
