import { createHmac, randomUUID } from 'node:crypto';
import type { SeededRandom } from './random';

/** One generated request and the statuses the documentation allows for it. */
export interface FuzzRequest {
  category: string;
  service: 'ingress' | 'subscriptions';
  method: string;
  /** Path and query, already percent-encoded (or deliberately mis-encoded). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  expect: readonly number[];
}

/** Strings that have broken parsers, queries and templates elsewhere. */
export const hostileStrings: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE subscriptions.sources; --",
  '1; SELECT pg_sleep(30); --',
  '" OR 1=1 --',
  "admin'--",
  "%' UNION SELECT key_hash, prefix FROM subscriptions.api_keys --",
  "$$; COPY (SELECT 1) TO PROGRAM 'id'; $$",
  '\\x00\\',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(document.cookie)>',
  'javascript:alert(1)',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '__proto__',
  'constructor',
  'prototype',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '\u0000',
  '\r\nX-Injected: 1',
  '\u202e\u200b\ufeff',
  '😀🇺🇦𝕏',
  '\ud800',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '9'.repeat(400),
  'a'.repeat(3000),
  '',
  ' ',
  '%00%0d%0a',
  '${jndi:ldap://x/a}',
  'src_00000000000000000000000000',
  "bus_' OR 1=1 --",
];

export function hostileString(rng: SeededRandom): string {
  switch (rng.int(0, 4)) {
    case 0:
      return hostileStrings[rng.int(0, hostileStrings.length - 1)]!;
    case 1:
      return rng.pick(hostileStrings) + rng.pick(hostileStrings);
    case 2: {
      // random code points, lone surrogates included
      let s = '';
      const length = rng.int(0, 40);
      for (let i = 0; i < length; i++) s += String.fromCharCode(rng.int(0, 0xffff));
      return s;
    }
    case 3:
      return rng.bytes(rng.int(1, 30)).toString('latin1');
    default:
      return rng.pick(hostileStrings).repeat(rng.int(1, 5));
  }
}

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD). */
export function encodeSegment(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A path segment that is hostile, too long, or not even valid percent-encoding. */
export function hostileSegment(rng: SeededRandom): string {
  switch (rng.int(0, 5)) {
    case 0:
      return rng.pick(['%C3%28', '%FF%FE%FD', '%', '%zz', '%E2%82', '%ED%A0%80', '%C0%AF']);
    case 1:
      return rng.pick(['..', '.', '%2e%2e', '..%2F..%2F', '%2F', ';', '*', '~']);
    case 2:
      return encodeSegment('x'.repeat(rng.int(101, 3000)));
    default: {
      const s = encodeSegment(hostileString(rng));
      return s === '' ? 'x' : s;
    }
  }
}

export function hostileQuery(rng: SeededRandom, names: readonly string[]): string {
  const parts: string[] = [];
  const count = rng.int(1, 4);
  for (let i = 0; i < count; i++) {
    const name = rng.bool(0.7) ? rng.pick(names) : encodeSegment(hostileString(rng));
    parts.push(
      `${name}=${rng.bool(0.15) ? rng.pick(['%FF', '%', '%C3%28']) : encodeSegment(hostileString(rng))}`,
    );
  }
  if (rng.bool(0.1)) parts.push(parts[0] ?? 'a=b'); // repeated key
  return `?${parts.join('&')}`;
}

/**
 * A header value as it may cross the wire: any byte but the controls other than tab (Node's client
 * refuses CR, LF and NUL). UTF-8 text goes out as its raw bytes.
 */
export function headerValue(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const control = (byte < 0x20 && byte !== 0x09) || byte === 0x7f;
    out += control ? '?' : String.fromCharCode(byte);
  }
  return out;
}

/** A Meta-shaped webhook with hostile strings in every field. */
export function hostileMetaPayload(rng: SeededRandom): unknown {
  const s = () => hostileString(rng);
  return {
    object: rng.bool(0.8) ? 'whatsapp_business_account' : s(),
    entry: [
      {
        id: s(),
        changes: [
          {
            field: rng.bool(0.7) ? 'messages' : s(),
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: s(), phone_number_id: s() },
              contacts: [{ profile: { name: s() }, wa_id: s() }],
              messages: [
                {
                  from: s(),
                  id: `wamid.${s()}`,
                  timestamp: rng.bool() ? s() : rng.int(-1e9, 1e12),
                  type: rng.pick(['text', 'image', 'interactive', s()]),
                  text: { body: s() },
                  [s()]: s(),
                },
              ],
              statuses: rng.bool(0.3) ? [{ id: s(), status: s(), recipient_id: s() }] : undefined,
            },
          },
        ],
      },
    ],
    ['__proto__']: rng.bool(0.1) ? { polluted: true } : undefined,
  };
}

export function deeplyNested(levels: number, rng: SeededRandom): Buffer {
  if (rng.bool()) return Buffer.from('['.repeat(levels) + ']'.repeat(levels));
  return Buffer.from('{"a":'.repeat(levels) + '1' + '}'.repeat(levels));
}

/** A body nobody should send: garbage, truncated, mis-encoded or deeply nested. */
export function oddBody(rng: SeededRandom): { kind: string; body: Buffer } {
  const kind = rng.pick([
    'random-bytes',
    'truncated-json',
    'invalid-utf8-in-json',
    'hostile-json',
    'json-scalar',
    'bom-json',
    'duplicate-keys',
    'deep-nesting',
    'empty',
    'hostile-text',
  ] as const);
  switch (kind) {
    case 'random-bytes':
      return { kind, body: rng.bytes(rng.int(1, 4096)) };
    case 'truncated-json': {
      const full = JSON.stringify(hostileMetaPayload(rng));
      return { kind, body: Buffer.from(full.slice(0, rng.int(0, full.length - 1))) };
    }
    case 'invalid-utf8-in-json':
      return {
        kind,
        body: Buffer.concat([
          Buffer.from('{"object":"whatsapp_business_account","entry":[{"id":"'),
          Buffer.from(
            rng.pick([[0xff, 0xfe], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x80]]),
          ),
          Buffer.from('"}]}'),
        ]),
      };
    case 'hostile-json':
      return { kind, body: Buffer.from(JSON.stringify(hostileMetaPayload(rng))) };
    case 'json-scalar':
      return {
        kind,
        body: Buffer.from(rng.pick(['null', '0', '-0', '1e999', '"x"', 'true', '[]', '{}'])),
      };
    case 'bom-json':
      return {
        kind,
        body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"object":1}')]),
      };
    case 'duplicate-keys':
      return {
        kind,
        body: Buffer.from(
          '{"object":"a","object":"b","__proto__":{"x":1},"constructor":{"prototype":{"y":2}}}',
        ),
      };
    case 'deep-nesting':
      return { kind, body: deeplyNested(rng.pick([1_000, 10_000, 50_000]), rng) };
    case 'empty':
      return { kind, body: Buffer.alloc(0) };
    case 'hostile-text':
      return { kind, body: Buffer.from(hostileString(rng)) };
  }
}

export type ProviderRoute = 'meta' | 'connectly' | 'cubeconnect' | 'standard' | 'onprem';

export interface SourceUnderTest {
  route: ProviderRoute;
  id: string;
  /** The app secret, HMAC secret, whsec_ secret or token. */
  secret: string;
  verifyToken: string | null;
}

/** Headers (and query) that make `body` verify for the source; `at` shifts the timestamp. */
export function sign(
  source: SourceUnderTest,
  body: Buffer,
  at: Date = new Date(),
  tokenInQuery = false,
): { headers: Record<string, string>; query: string } {
  const hmac = (key: string | Buffer, ...parts: (string | Buffer)[]) => {
    const h = createHmac('sha256', key);
    for (const part of parts) h.update(part);
    return h.digest();
  };
  switch (source.route) {
    case 'meta':
      return {
        headers: { 'x-hub-signature-256': `sha256=${hmac(source.secret, body).toString('hex')}` },
        query: '',
      };
    case 'connectly':
      return {
        headers: { 'x-connectly-hmac-sha256': hmac(source.secret, body).toString('base64') },
        query: '',
      };
    case 'cubeconnect': {
      const timestamp = at.toISOString();
      return {
        headers: {
          'x-webhook-timestamp': timestamp,
          'x-webhook-signature': hmac(source.secret, `${timestamp}.`, body).toString('hex'),
        },
        query: '',
      };
    }
    case 'standard': {
      const id = `msg_${randomUUID()}`;
      const timestamp = String(Math.floor(at.getTime() / 1000));
      const key = Buffer.from(source.secret.slice('whsec_'.length), 'base64');
      return {
        headers: {
          'webhook-id': id,
          'webhook-timestamp': timestamp,
          'webhook-signature': `v1,${hmac(key, `${id}.${timestamp}.`, body).toString('base64')}`,
        },
        query: '',
      };
    }
    case 'onprem':
      return tokenInQuery
        ? { headers: {}, query: `?token=${encodeURIComponent(source.secret)}` }
        : { headers: { authorization: `Bearer ${source.secret}` }, query: '' };
  }
}

/** Headers that look like the provider's but do not verify. */
export function wrongSignature(source: SourceUnderTest, rng: SeededRandom): Record<string, string> {
  const garbage = () =>
    rng.pick([
      rng.bytes(32).toString('hex'),
      rng.bytes(32).toString('base64'),
      headerValue(hostileString(rng)) || 'x',
      'sha256=',
      'sha256=zz',
      'v1,',
      'v1,' + rng.bytes(32).toString('base64') + ' v2,abc',
      'Bearer',
    ]);
  const now = String(Math.floor(Date.now() / 1000));
  switch (source.route) {
    case 'meta':
      return {
        'x-hub-signature-256': rng.bool() ? `sha256=${rng.bytes(32).toString('hex')}` : garbage(),
      };
    case 'connectly':
      return { 'x-connectly-hmac-sha256': garbage() };
    case 'cubeconnect':
      return { 'x-webhook-timestamp': new Date().toISOString(), 'x-webhook-signature': garbage() };
    case 'standard':
      return {
        'webhook-id': `msg_${rng.int(0, 1e9)}`,
        'webhook-timestamp': now,
        'webhook-signature': garbage(),
      };
    case 'onprem':
      return { authorization: rng.bool() ? `Bearer ${garbage()}` : garbage() };
  }
}
