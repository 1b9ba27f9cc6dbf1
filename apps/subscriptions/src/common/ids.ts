import { randomBytes } from 'node:crypto';

/** Prefixes of the identifiers this service hands out. */
export type IdPrefix = 'biz' | 'key' | 'src' | 'sub' | 'sec' | 'whs';

/** A new identifier: the prefix and 128 random bits in base64url (no `:`, safe in config keys). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}
