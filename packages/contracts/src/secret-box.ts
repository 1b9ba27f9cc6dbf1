import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { z } from 'zod';

import type { Secret, SourceRecord, SubscriptionRecord } from './config-records';

/**
 * Envelope encryption of stored secrets (source verification secrets, Meta verify tokens and
 * webhook signing secrets) with AES-256-GCM under a data key from the environment.
 *
 * A sealed value reads `enc.v1.<key id>.<iv>.<ciphertext and tag>` (base64url parts, a random
 * 12-byte IV per value): the key id beside the value lets the key rotate while values sealed
 * under the previous one still open. Each value is bound to what owns it (the record and secret
 * ids, as GCM's additional data), so a sealed value moved to another record does not open.
 */
const PREFIX = 'enc.v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

const SEALED = /^enc\.v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{23,})$/;

/** A value as sealed by {@link SecretBox.seal}. */
export const SealedValue = z
  .string()
  .regex(SEALED, 'Expected a sealed value (enc.v1.<key id>.<iv>.<ciphertext>)');

/** One data key: its id (stored beside every value it seals) and 32 bytes of key. */
export interface DataKey {
  readonly id: string;
  readonly key: Buffer;
}

export type SecretBoxErrorCode = 'malformed' | 'unknown_key' | 'not_authentic';

/** A sealed value that cannot be opened; the message names the key id, never the value. */
export class SecretBoxError extends Error {
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** Seals and opens secrets with the data keys; the first key seals, every key opens. */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  /** The id of the key new values are sealed with. */
  readonly currentKeyId: string;

  constructor(keys: readonly DataKey[]) {
    const [current] = keys;
    if (!current) throw new Error('A secret box needs at least one data key');
    const byId = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id)) throw new Error(`Data key id "${id}" is not [A-Za-z0-9_-]{1,32}`);
      if (key.length !== KEY_BYTES) throw new Error(`Data key ${id} is not ${KEY_BYTES} bytes`);
      if (byId.has(id)) throw new Error(`Data key id ${id} is given twice`);
      byId.set(id, Buffer.from(key));
    }
    this.keys = byId;
    this.currentKeyId = current.id;
  }

  /** The ids of every key this box opens with, the current one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Whether a value is in the sealed form (it may still not open). */
  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  /** The id of the key a sealed value was sealed with; null for a value not in sealed form. */
  static keyIdOf(value: string): string | null {
    return SEALED.exec(value)?.[1] ?? null;
  }

  /** Whether a stored value should be sealed again: plaintext, or sealed under an older key. */
  needsResealing(value: string): boolean {
    return SecretBox.keyIdOf(value) !== this.currentKeyId;
  }

  /** Seals `plaintext` with the current key, bound to `context` (e.g. {@link secretContext}). */
  seal(plaintext: string, context: string): string {
    const key = this.keys.get(this.currentKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${PREFIX}${this.currentKeyId}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /**
   * Opens a sealed value bound to `context`.
   * @throws SecretBoxError when the value is malformed, sealed under a key this box does not
   * hold, or altered (or bound to another context).
   */
  open(sealed: string, context: string): string {
    const [, keyId, ivText, bodyText] = SEALED.exec(sealed) ?? [];
    if (!keyId || !ivText || !bodyText) {
      throw new SecretBoxError(
        'malformed',
        'Not a sealed value (enc.v1.<key id>.<iv>.<ciphertext>)',
      );
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SecretBoxError(
        'unknown_key',
        `Sealed with data key ${keyId}, which is not among the configured keys (${this.keyIds.join(', ')})`,
      );
    }
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError(
        'not_authentic',
        `A value sealed with data key ${keyId} does not open: altered, or bound to another owner`,
      );
    }
  }

  /** Opens a value when it is sealed; takes a value not in sealed form as it is. */
  openIfSealed(value: string, context: string): string {
    return SecretBox.isSealed(value) ? this.open(value, context) : value;
  }

  /** Seals a value again under the current key (opening it first when it is sealed). */
  reseal(value: string, context: string): string {
    return this.seal(this.openIfSealed(value, context), context);
  }

  /** Never shows key material when logged or inspected. */
  toJSON(): string {
    return `SecretBox(${this.keyIds.join(', ')})`;
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}

/** What a secret of a source or subscription is bound to: `<record id>/<secret id>`. */
export function secretContext(recordId: string, secretId: string): string {
  return `${recordId}/${secretId}`;
}

/** What a source's Meta verify token is bound to. */
export function verifyTokenContext(sourceId: string): string {
  return `${sourceId}/verify-token`;
}

/** The record's secrets (and verify token) opened, for the services that verify or sign with them. */
export function openSourceRecord(box: SecretBox, record: SourceRecord): SourceRecord {
  return {
    ...record,
    secrets: openSecrets(box, record.id, record.secrets),
    verifyToken:
      record.verifyToken === null
        ? null
        : box.openIfSealed(record.verifyToken, verifyTokenContext(record.id)),
  };
}

export function openSubscriptionRecord(
  box: SecretBox,
  record: SubscriptionRecord,
): SubscriptionRecord {
  return { ...record, secrets: openSecrets(box, record.id, record.secrets) };
}

function openSecrets<T extends Secret>(
  box: SecretBox,
  recordId: string,
  secrets: readonly T[],
): T[] {
  return secrets.map((s) => ({
    ...s,
    value: box.openIfSealed(s.value, secretContext(recordId, s.id)),
  }));
}

/**
 * `DATA_KEYS`: `<key id>:<32 bytes in base64>`, comma-separated, the key that seals first; the
 * others only open values sealed before a rotation. Yields the {@link SecretBox}.
 */
export const DataKeysEnv = z
  .string({
    error: 'required: <key id>:<32 bytes in base64>[,<older key id>:<key>…] (the first key seals)',
  })
  .transform((text, ctx): SecretBox => {
    const keys: DataKey[] = [];
    const entries = text
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e.length > 0);
    if (entries.length === 0)
      ctx.addIssue({ code: 'custom', message: 'must hold at least one key' });
    entries.forEach((entry, index) => {
      const separator = entry.indexOf(':');
      const id = separator < 0 ? '' : entry.slice(0, separator);
      const where = `key ${index + 1}${KEY_ID.test(id) ? ` (${id})` : ''}`;
      if (!KEY_ID.test(id)) {
        ctx.addIssue({
          code: 'custom',
          message: `${where}: must read <key id>:<key>, the id of letters, digits, "_" or "-" (at most 32)`,
        });
        return;
      }
      const encoded = entry.slice(separator + 1);
      const key = Buffer.from(encoded, 'base64');
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) || key.length !== KEY_BYTES) {
        ctx.addIssue({
          code: 'custom',
          message: `${where}: the key must be ${KEY_BYTES} bytes in base64 (e.g. openssl rand -base64 32)`,
        });
        return;
      }
      if (keys.some((k) => k.id === id)) {
        ctx.addIssue({ code: 'custom', message: `${where}: the id is given twice` });
        return;
      }
      keys.push({ id, key });
    });
    return keys.length === entries.length && keys.length > 0 ? new SecretBox(keys) : z.NEVER;
  });

/** The environment of a service that seals or opens secrets: `DATA_KEYS` alone. */
export const DataKeysConfig = z.object({ DATA_KEYS: DataKeysEnv });
