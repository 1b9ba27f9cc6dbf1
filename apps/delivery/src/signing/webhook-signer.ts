import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { WebhookSecret } from '@switchboard/contracts';

/** The signature headers of one outbound webhook request. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'X-Webhook-Signature': string;
  'X-Webhook-Timestamp': string;
}

export interface SignInput {
  /** The delivery id: the same for every attempt of one delivery (Standard Webhooks `webhook-id`). */
  id: string;
  body: string;
  secrets: readonly WebhookSecret[];
  now: Date;
}

/**
 * Secrets that sign at `now`: those not past their `expiresAt`, newest first. When every secret
 * has expired (a rotation left none live), the newest one still signs: an unsigned request would
 * be worse than one signed with a secret the receiver may still accept.
 */
export function signingSecrets(secrets: readonly WebhookSecret[], now: Date): WebhookSecret[] {
  const at = now.getTime();
  const newestFirst = [...secrets].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
  );
  const live = newestFirst.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > at);
  return live.length > 0 ? live : newestFirst.slice(0, 1);
}

/** The key bytes of a `whsec_` secret (the base64 after the prefix). */
export function secretKey(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret,
    'base64',
  );
}

/** Most secrets whose key objects are kept; the cache starts afresh beyond (rotations add some). */
const KEY_CACHE_LIMIT = 10_000;
const keyObjects = new Map<string, KeyObject>();

/**
 * The HMAC key object of a secret, made once: `createHmac` with raw key bytes builds a key object
 * on every call, which costs several times the HMAC of a webhook body.
 */
function hmacKey(secret: string): KeyObject {
  let key = keyObjects.get(secret);
  if (!key) {
    if (keyObjects.size >= KEY_CACHE_LIMIT) keyObjects.clear();
    key = createSecretKey(secretKey(secret));
    keyObjects.set(secret, key);
  }
  return key;
}

/**
 * Signs a webhook both ways receivers expect, with every live secret, so that a receiver keeps
 * verifying through a rotation whichever secret it holds:
 * - Standard Webhooks v1: `webhook-signature` holds one `v1,<base64 HMAC-SHA256 of
 *   "{id}.{timestamp}.{body}">` per live secret, space-separated;
 * - the hex scheme: `X-Webhook-Signature` holds one hex HMAC-SHA256 of
 *   `"{X-Webhook-Timestamp}.{body}"` per live secret, comma-separated, the timestamp in ISO 8601.
 * Both lists are newest secret first; outside a rotation each holds one value.
 */
export function signWebhook({ id, body, secrets, now }: SignInput): SignatureHeaders {
  const signing = signingSecrets(secrets, now);
  if (signing.length === 0) throw new Error('A subscription has at least one secret');
  const seconds = Math.floor(now.getTime() / 1000);
  const timestamp = String(seconds);
  const isoTimestamp = new Date(seconds * 1000).toISOString();
  const signed = `${id}.${timestamp}.${body}`;
  const hexSigned = `${isoTimestamp}.${body}`;
  const signatures = signing.map(
    (secret) => `v1,${createHmac('sha256', hmacKey(secret.value)).update(signed).digest('base64')}`,
  );
  const hexSignatures = signing.map((secret) =>
    createHmac('sha256', hmacKey(secret.value)).update(hexSigned).digest('hex'),
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures.join(' '),
    'X-Webhook-Signature': hexSignatures.join(','),
    'X-Webhook-Timestamp': isoTimestamp,
  };
}
