import { createHash } from 'node:crypto';
import {
  displayPrefix,
  generateApiKey,
  hashApiKey,
  hashMatches,
  looksLikeApiKey,
  secretsMatch,
} from './api-key';

describe(generateApiKey.name, () => {
  it('makes sk_ keys of 256 random bits, different every time', () => {
    // when many keys are generated
    const keys = Array.from({ length: 200 }, () => generateApiKey());

    // then each is sk_ and 43 base64url characters (32 bytes), and none repeats
    for (const { key } of keys) {
      expect(key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(32);
    }
    expect(new Set(keys.map((k) => k.key)).size).toBe(keys.length);
  });

  it('comes with its SHA-256 and a short prefix that reveals little of it', () => {
    const { key, hash, prefix } = generateApiKey();
    expect(hash.equals(createHash('sha256').update(key).digest())).toBe(true);
    expect(prefix).toBe(key.slice(0, 9));
    expect(key.startsWith(prefix)).toBe(true);
    expect(prefix.length - 3).toBeLessThanOrEqual(6);
  });
});

describe(hashApiKey.name, () => {
  it('is the SHA-256 of the key, and differs for keys one character apart', () => {
    const { key } = generateApiKey();
    const other = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(hashApiKey(key)).toHaveLength(32);
    expect(hashApiKey(key).equals(hashApiKey(key))).toBe(true);
    expect(hashApiKey(key).equals(hashApiKey(other))).toBe(false);
  });
});

describe(looksLikeApiKey.name, () => {
  it.each([
    ['sk_' + 'a'.repeat(43), true],
    ['sk_' + 'a'.repeat(42), false],
    ['sk_' + 'a'.repeat(44), false],
    ['pk_' + 'a'.repeat(43), false],
    ['sk_' + 'a'.repeat(42) + '!', false],
    ['', false],
  ])('%s → %s', (value, expected) => {
    expect(looksLikeApiKey(value)).toBe(expected);
  });
});

describe(secretsMatch.name, () => {
  it('compares secrets of any lengths without throwing', () => {
    expect(secretsMatch('operator-key', 'operator-key')).toBe(true);
    expect(secretsMatch('operator-key', 'operator-kez')).toBe(false);
    expect(secretsMatch('short', 'a much longer operator key')).toBe(false);
    expect(secretsMatch('', '')).toBe(true);
  });
});

describe(hashMatches.name, () => {
  it('is false for hashes of different lengths instead of throwing', () => {
    expect(hashMatches(Buffer.alloc(32, 1), Buffer.alloc(32, 1))).toBe(true);
    expect(hashMatches(Buffer.alloc(32, 1), Buffer.alloc(31, 1))).toBe(false);
    expect(hashMatches(Buffer.alloc(32, 1), Buffer.alloc(32, 2))).toBe(false);
  });
});

describe(displayPrefix.name, () => {
  it('keeps sk_ and six characters', () => {
    expect(displayPrefix('sk_abcdefghijk')).toBe('sk_abcdef');
  });
});
