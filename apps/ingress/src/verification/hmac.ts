import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256(key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Compares two byte strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  // Lengths are not secret (every signature of a scheme has the same length).
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Decodes hex strictly: anything that is not an even run of hex digits gives an empty buffer. */
export function fromHex(value: string): Buffer {
  return /^(?:[0-9a-fA-F]{2})+$/.test(value) ? Buffer.from(value, 'hex') : Buffer.alloc(0);
}

/** Decodes standard base64 strictly: malformed input gives an empty buffer. */
export function fromBase64(value: string): Buffer {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : Buffer.alloc(0);
}

export function sha256(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares two secrets of any length in constant time by comparing their digests. */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}
