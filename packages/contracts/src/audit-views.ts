/**
 * The normalizer's documented read contract: schema `audit`, read-only views over its audit log,
 * versioned by name (`_v1`). Other services read the log only through these views, never the
 * normalizer's tables. Columns are listed with their PostgreSQL types (as `information_schema`
 * names them); the normalizer's migration test pins its views to this list, so a change is a
 * deliberate change of the contract (additive within v1, a `_v2` view otherwise).
 */
export const AuditViews = Object.freeze({
  /** Canonical events as published, under their deterministic ids. */
  'audit.events_v1': {
    id: 'uuid',
    raw_id: 'uuid',
    business_id: 'text',
    type: 'text',
    topic: 'text',
    message_id: 'text',
    /** The WhatsApp user's phone-number id (sender, recipient or wa_id); null when none. */
    contact_phone: 'text',
    occurred_at: 'timestamp with time zone',
    event: 'jsonb',
  },
  /** Raw webhooks exactly as received. */
  'audit.raw_webhooks_v1': {
    id: 'uuid',
    business_id: 'text',
    source_id: 'text',
    provider: 'text',
    environment: 'text',
    received_at: 'timestamp with time zone',
    content_type: 'text',
    body: 'bytea',
    outcome: 'text',
  },
  /** Dead letters of raw webhooks (records that did not decode have no business and are left out). */
  'audit.dead_letters_v1': {
    id: 'uuid',
    business_id: 'text',
    raw_id: 'uuid',
    source_id: 'text',
    provider: 'text',
    received_at: 'timestamp with time zone',
    reason_code: 'text',
    message: 'text',
    issues: 'jsonb',
    /** JSON Pointer of the one item that failed; null when the whole webhook did. */
    pointer: 'text',
    item: 'jsonb',
    failed_at: 'timestamp with time zone',
  },
  /** Every replay of a raw webhook and its outcome. */
  'audit.replays_v1': {
    id: 'uuid',
    request_id: 'uuid',
    business_id: 'text',
    raw_id: 'uuid',
    /** `published` | `partial` | `dead_lettered` */
    outcome: 'text',
    events_produced: 'integer',
    events_published: 'integer',
    dead_letters: 'integer',
    replayed_at: 'timestamp with time zone',
  },
} as const);
export type AuditViewName = keyof typeof AuditViews;
