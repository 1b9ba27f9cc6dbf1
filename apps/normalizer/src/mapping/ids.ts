import { createHash } from 'node:crypto';

/**
 * Deterministic event ids: UUIDv5 under one fixed namespace over the provider, the scope (business
 * and environment), the kind of event and its natural key. A redelivered webhook, in the same
 * bytes or inside another request, yields the same ids; the raw id (new per delivery) is never part
 * of the key.
 *
 * The scope is part of the key because the audit log's key is the event id alone: two businesses
 * given the same provider payload must not deduplicate each other's events.
 */
export const EVENT_ID_NAMESPACE = '985be551-800d-4594-91f6-80af9a90430b';

export interface IdScope {
  readonly provider: string;
  readonly businessId: string;
  readonly environment: string;
}

/** The event id of a natural key, e.g. (`meta`, `whatsapp.message.received`, `wamid.…`). */
export function eventId(scope: IdScope, kind: string, naturalKey: string): string {
  const name = JSON.stringify([
    scope.provider,
    scope.businessId,
    scope.environment,
    kind,
    naturalKey,
  ]);
  return uuidV5(name, EVENT_ID_NAMESPACE_BYTES);
}

const EVENT_ID_NAMESPACE_BYTES = uuidBytes(EVENT_ID_NAMESPACE);

/** The 16 bytes of a UUID in its text form. */
export function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new TypeError(`Not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

const VARIANT_DIGITS = '89ab89ab89ab89ab';

/**
 * RFC 9562 UUIDv5 (SHA-1) of a name under a namespace given as its 16 bytes: the value the `uuid`
 * package's v5 gives, without re-parsing the namespace and re-encoding the name on every call.
 * Names must be well-formed text (the `uuid` package throws on a lone surrogate, this would hash
 * U+FFFD); event ids hash JSON.stringify output, which escapes lone surrogates.
 */
export function uuidV5(name: string, namespace: Buffer): string {
  const hex = createHash('sha1').update(namespace).update(name, 'utf8').digest('hex');
  // Version 5 in the high nibble of byte 6; the RFC variant (10xx) in the high bits of byte 8.
  return (
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-` +
    `${VARIANT_DIGITS[Number.parseInt(hex[16]!, 16)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  );
}

/**
 * JSON with object keys sorted at every depth, so equal content always serialises the same way;
 * `undefined` fields are left out and non-finite numbers become null, as JSON.stringify does.
 */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const json = JSON.stringify(value);
    return json === undefined ? 'null' : json;
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : stableJson(item))).join(',')}]`;
  }
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** The natural key of content that has no id of its own: a SHA-256 of its stable JSON. */
export function contentKey(content: unknown): string {
  return `sha256:${createHash('sha256').update(stableJson(content)).digest('hex')}`;
}
