import { randomBytes } from 'node:crypto';
import { type Secret, type SecretBox, secretContext } from '@switchboard/contracts';
import { newId } from '../common/ids';

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A random token (On-Premises URL tokens, Meta verify tokens): 32 random bytes in base64url. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A new live secret record. */
export function newSecret(prefix: 'sec' | 'whs', value: string, now: Date): Secret {
  return { id: newId(prefix), value, createdAt: now.toISOString(), expiresAt: null };
}

/** The secret as stored and published: its value sealed, bound to its record. */
export function sealSecret<T extends Secret>(box: SecretBox, recordId: string, secret: T): T {
  return { ...secret, value: box.seal(secret.value, secretContext(recordId, secret.id)) };
}

/**
 * Rotation: the new secret goes first and is live; every secret that was live stays valid for
 * `graceSeconds` more (or until its own earlier expiry), so senders and receivers can move over;
 * secrets already expired are dropped.
 */
export function rotateSecrets<T extends Secret>(
  current: readonly T[],
  added: T,
  now: Date,
  graceSeconds: number,
): T[] {
  const at = now.getTime();
  const until = at + graceSeconds * 1000;
  const kept = current
    .filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > at)
    .map((s) => {
      const expiresAt =
        s.expiresAt !== null && Date.parse(s.expiresAt) < until
          ? s.expiresAt
          : new Date(until).toISOString();
      return { ...s, expiresAt };
    })
    .filter((s) => Date.parse(s.expiresAt) > at);
  return [added, ...kept];
}

/** What an API response shows of a secret: never its value. */
export interface SecretSummary {
  id: string;
  createdAt: string;
  expiresAt: string | null;
}

export function summarise(secrets: readonly Secret[]): SecretSummary[] {
  return secrets.map((s) => ({ id: s.id, createdAt: s.createdAt, expiresAt: s.expiresAt }));
}
