import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { webhookSecret as secret } from '../../test/builders';
import { secretKey, signingSecrets, signWebhook } from './webhook-signer';

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

  it('signs the hex scheme over the ISO timestamp and the body with the newest secret', () => {
    // given two live secrets
    const now = new Date('2026-03-10T11:30:05.678Z');
    const older = secret('a', '2026-01-01T00:00:00Z');
    const newest = secret('b', '2026-03-01T00:00:00Z');

    // when signed
    const headers = signWebhook({ id: 'dlv_3', body, secrets: [older, newest], now });

    // then the timestamps agree and the hex signature is the newest key's HMAC
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['X-Webhook-Timestamp']).toBe('2026-03-10T11:30:05.000Z');
    const expected = createHmac('sha256', secretKey(newest.value))
      .update(`${headers['X-Webhook-Timestamp']}.${body}`)
      .digest('hex');
    expect(headers['X-Webhook-Signature']).toBe(expected);
  });

  it('still signs with the newest secret when every secret has expired', () => {
    const now = new Date('2026-03-10T00:00:00Z');
    const a = secret('a', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z');
    const b = secret('b', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z');
    expect(signingSecrets([a, b], now).map((s) => s.id)).toEqual(['b']);
  });
});
