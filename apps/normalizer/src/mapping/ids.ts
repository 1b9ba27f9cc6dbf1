import { createHash } from 'node:crypto';
import { v5 } from 'uuid';

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
  return v5(name, EVENT_ID_NAMESPACE);
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
