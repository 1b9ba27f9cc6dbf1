import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { webhookSecret as secret } from '../../test/builders';
import { secretKey, signingSecrets, signWebhook } from './webhook-signer';

/** The hex scheme's signature of `body` with one secret, as a receiver computes it. */
function hexSignature(value: string, headers: { 'X-Webhook-Timestamp': string }, body: string) {
  return createHmac('sha256', secretKey(value))
    .update(`${headers['X-Webhook-Timestamp']}.${body}`)
    .digest('hex');
}

describe('signWebhook', () => {
  const body = JSON.stringify({ specversion: '1.0', id: 'evt_1', data: { text: 'héllo' } });

  it('signs so that the standardwebhooks library verifies it', () => {
    // given one live secret
    const only = secret('whs_1', '2026-01-01T00:00:00Z');

    // when a body is signed now
    const headers = signWebhook({ id: 'dlv_1', body, secrets: [only], now: new Date() });

    // then the reference implementation accepts it
    const verified = new Webhook(only.value).verify(body, headers);
    expect(verified).toEqual(JSON.parse(body));
    expect(headers['webhook-id']).toBe('dlv_1');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('gives one signature per live secret during a rotation, each verifying on its own', () => {
    // given a new secret and an old one that has not expired yet, and one that has
    const now = new Date();
    const soon = new Date(now.getTime() + 3_600_000).toISOString();
    const gone = new Date(now.getTime() - 1_000).toISOString();
    const current = secret('new', '2026-02-01T00:00:00Z');
    const retiring = secret('old', '2026-01-01T00:00:00Z', soon);
    const expired = secret('older', '2025-12-01T00:00:00Z', gone);

    // when signed
    const headers = signWebhook({ id: 'dlv_2', body, secrets: [retiring, expired, current], now });

    // then there are two signatures, and either secret verifies; the expired one does not
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(current.value).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(retiring.value).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(expired.value).verify(body, headers)).toThrow();
  });

  it('signs the hex scheme over the ISO timestamp and the body', () => {
    // given one live secret
    const now = new Date('2026-03-10T11:30:05.678Z');
    const only = secret('a', '2026-01-01T00:00:00Z');

    // when signed
    const headers = signWebhook({ id: 'dlv_3', body, secrets: [only], now });

    // then the timestamps agree and the hex signature is that key's HMAC, alone
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['X-Webhook-Timestamp']).toBe('2026-03-10T11:30:05.000Z');
    expect(headers['X-Webhook-Signature']).toBe(hexSignature(only.value, headers, body));
  });

  it('gives one hex signature per live secret during a rotation, newest first, comma-separated', () => {
    // given a new secret, an old one still live and one that has expired
    const now = new Date('2026-03-10T11:30:05.678Z');
    const retiring = secret('old', '2026-01-01T00:00:00Z', '2026-03-11T00:00:00Z');
    const expired = secret('older', '2025-12-01T00:00:00Z', '2026-03-01T00:00:00Z');
    const current = secret('new', '2026-03-01T00:00:00Z');

    // when signed
    const headers = signWebhook({ id: 'dlv_4', body, secrets: [retiring, expired, current], now });

    // then a receiver holding either live secret finds its signature in the list; not the expired one
    const values = headers['X-Webhook-Signature'].split(',');
    expect(values).toEqual([
      hexSignature(current.value, headers, body),
      hexSignature(retiring.value, headers, body),
    ]);
    expect(values).not.toContain(hexSignature(expired.value, headers, body));
  });

  it('still signs with the newest secret when every secret has expired', () => {
    const now = new Date('2026-03-10T00:00:00Z');
    const a = secret('a', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z');
    const b = secret('b', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z');
    expect(signingSecrets([a, b], now).map((s) => s.id)).toEqual(['b']);
  });
});
