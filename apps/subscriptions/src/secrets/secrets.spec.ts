import type { Secret } from '@switchboard/contracts';
import {
  generateToken,
  generateWebhookSecret,
  newSecret,
  rotateSecrets,
  summarise,
} from './secrets';

const now = new Date('2026-03-10T12:00:00.000Z');
const hour = 3600;

function secret(id: string, expiresAt: string | null = null): Secret {
  return { id, value: `value-${id}`, createdAt: '2026-03-01T00:00:00.000Z', expiresAt };
}

describe(rotateSecrets.name, () => {
  it('puts the new secret first and gives every live one the grace period', () => {
    // given one live secret
    const added = newSecret('sec', 'new-value', now);

    // when it is rotated with a 24 h grace
    const rotated = rotateSecrets([secret('old')], added, now, 24 * hour);

    // then the new one leads, without expiry, and the old one expires in 24 h
    expect(rotated).toEqual([added, { ...secret('old'), expiresAt: '2026-03-11T12:00:00.000Z' }]);
  });

  it('keeps an earlier expiry and drops secrets already expired', () => {
    const rotated = rotateSecrets(
      [
        secret('current'),
        secret('leaving-soon', '2026-03-10T12:30:00.000Z'),
        secret('gone', '2026-03-10T11:59:59.000Z'),
      ],
      newSecret('sec', 'n', now),
      now,
      24 * hour,
    );
    expect(rotated.map((s) => [s.id.startsWith('sec_') ? 'new' : s.id, s.expiresAt])).toEqual([
      ['new', null],
      ['current', '2026-03-11T12:00:00.000Z'],
      ['leaving-soon', '2026-03-10T12:30:00.000Z'],
    ]);
  });

  it('retires the old secrets at once with a zero grace', () => {
    const added = newSecret('whs', generateWebhookSecret(), now);
    expect(rotateSecrets([secret('a'), secret('b')], added, now, 0)).toEqual([added]);
  });
});

describe('secret generation', () => {
  it('makes whsec_ secrets of 32 random bytes and 256-bit tokens', () => {
    const whsec = generateWebhookSecret();
    expect(whsec).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(whsec.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(whsec);
    expect(Buffer.from(generateToken(), 'base64url')).toHaveLength(32);
  });

  it('summarises secrets without their values', () => {
    const summary = summarise([secret('a', '2026-03-11T00:00:00.000Z')]);
    expect(summary).toEqual([
      { id: 'a', createdAt: '2026-03-01T00:00:00.000Z', expiresAt: '2026-03-11T00:00:00.000Z' },
    ]);
    expect(JSON.stringify(summary)).not.toContain('value');
  });
});
