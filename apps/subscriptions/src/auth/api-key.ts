import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Business API keys: `sk_` and 256 random bits in base64url (43 characters). */
export const API_KEY_PREFIX = 'sk_';
const RANDOM_BYTES = 32;
/** How many characters of a key are kept, in clear, to tell keys apart (`sk_` + 6). */
const DISPLAY_CHARS = API_KEY_PREFIX.length + 6;

export interface GeneratedApiKey {
  /** The key itself: shown once, never stored. */
  key: string;
  /** SHA-256 of the key: what is stored and looked up. */
  hash: Buffer;
  /** A short, non-secret prefix for display (`sk_AbC123`). */
  prefix: string;
}

export function generateApiKey(): GeneratedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(RANDOM_BYTES).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: displayPrefix(key) };
}

/**
 * SHA-256 of a presented key. A key has 256 bits of randomness, so a fast unsalted hash is safe:
 * there is nothing to guess by brute force, and lookups stay one indexed query.
 */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function displayPrefix(key: string): string {
  return key.slice(0, DISPLAY_CHARS);
}

/** Whether a presented string has the shape of a business key (cheap refusal before any query). */
export function looksLikeApiKey(value: string): boolean {
  return value.length === API_KEY_PREFIX.length + 43 && /^sk_[A-Za-z0-9_-]{43}$/.test(value);
}

/** Compares two secrets in constant time (over their SHA-256, so lengths may differ). */
export function secretsMatch(given: string, expected: string): boolean {
  return timingSafeEqual(hashApiKey(given), hashApiKey(expected));
}

/** Compares a stored hash with the hash of a presented key in constant time. */
export function hashMatches(stored: Buffer, presented: Buffer): boolean {
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}
