import { z } from 'zod';

import { Environment, Id, IsoDateTime, Provider, SubscriptionTopic } from './common';
import { SealedValue } from './secret-box';

/**
 * A signing or verification secret. Several are live at once during rotation: a new one is
 * added, senders move over, then the old one gets an `expiresAt` and is removed. On the config
 * topic and at rest `value` is sealed (see `SecretBox`); the services that use it open it.
 */
export const Secret = z.object({
  id: Id,
  value: z.string().min(1),
  createdAt: IsoDateTime,
  expiresAt: IsoDateTime.nullable(),
});
export type Secret = z.infer<typeof Secret>;

/** Record version: increases with every change, so consumers can ignore stale records. */
const RecordVersion = z.number().int().nonnegative();

/** A lower-case HTTP header name. */
const HeaderName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Expected a lower-case header name');

/**
 * How ingress verifies a source's requests. Absent: the route's own scheme (Meta's signature,
 * Connectly's HMAC, the On-Premises token, ...). `token`: a static token the provider sends in
 * `header` (Cunnekt calls the business's endpoint with a token rather than an HMAC), compared
 * in constant time with each live secret; in `authorization` it may come as `Bearer <token>`.
 */
export const SourceVerification = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('token'),
      header: HeaderName.describe('The header that carries the token, e.g. authorization'),
    }),
  ])
  .meta({ title: 'SourceVerification' });
export type SourceVerification = z.infer<typeof SourceVerification>;

/**
 * A provider account a business connected: ingress verifies its requests with `secrets`
 * (the Meta app secret, the Connectly webhook secret, the On-Premises URL or header token, ...),
 * by the route's scheme or as `verification` says.
 */
export const SourceRecord = z
  .object({
    kind: z.literal('source'),
    id: Id,
    businessId: Id,
    provider: Provider,
    environment: Environment,
    enabled: z.boolean(),
    secrets: z.array(Secret).min(1),
    verifyToken: z
      .string()
      .min(1)
      .nullable()
      .describe("Answers Meta's GET verification handshake; null for other providers"),
    verification: SourceVerification.optional().describe(
      "How requests are verified; absent means the route's own scheme",
    ),
    sharedEndpoint: z
      .literal(true)
      .optional()
      .describe(
        "Channel webhooks in Meta's format and platform events come to this one URL (Cunnekt): " +
          "a body that is Meta's envelope is stored as provider meta, any other as standard",
      ),
    externalIds: z.object({
      wabaIds: z.array(z.string().min(1)),
      phoneNumberIds: z.array(z.string().min(1)),
    }),
    updatedAt: IsoDateTime,
    version: RecordVersion,
  })
  .meta({
    title: 'SourceRecord',
    description: 'A configured webhook source, on the compacted switchboard.config.v1 topic',
  });
export type SourceRecord = z.infer<typeof SourceRecord>;

/** Event fields a subscription can filter on. */
export const SubscriptionFilterField = z.enum([
  'campaign_name',
  'event_type',
  'status',
  'message_type',
  'phone_number_id',
]);
export type SubscriptionFilterField = z.infer<typeof SubscriptionFilterField>;

/** Delivers only events whose `field` matches the glob `expression` (e.g. `test-campaign-*`). */
export const SubscriptionFilter = z.object({
  field: SubscriptionFilterField,
  expression: z.string().min(1),
});
export type SubscriptionFilter = z.infer<typeof SubscriptionFilter>;

export const RetryPolicy = z.object({
  schedule: z
    .array(z.number().int().positive())
    .min(1)
    .max(30)
    .optional()
    .describe('Delays in seconds between attempts; the platform default applies when absent'),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

/**
 * How a subscription receives each event over HTTP (CloudEvents HTTP protocol binding):
 * `structured`, the whole CloudEvent as an `application/cloudevents+json` body; `binary`, the
 * event's `data` as an `application/json` body and every other attribute in a `ce-` header.
 */
export const CloudEventsMode = z.enum(['structured', 'binary']);
export type CloudEventsMode = z.infer<typeof CloudEventsMode>;

/**
 * How a subscription's deliveries are ordered: `none`, each event is attempted as soon as it is
 * stored (retries and concurrent attempts can reorder them); `conversation`, the events of one
 * conversation (the event's `subject`, `<phone_number_id>:<contact>`, within the subscription's
 * business) are delivered one at a time in event-time order, and a failing delivery holds up only
 * its own conversation.
 */
export const DeliveryOrdering = z.enum(['none', 'conversation']);
export type DeliveryOrdering = z.infer<typeof DeliveryOrdering>;

export const SubscriptionConfiguration = z.object({
  echo: z
    .boolean()
    .default(false)
    .describe('Also deliver messages the business sent itself (message echoes)'),
  channelTypes: z.array(z.string().min(1)).default([]).describe('Empty means every channel'),
  filters: z.array(SubscriptionFilter).default([]).describe('All filters must match'),
  eventTypes: z.array(z.string().min(1)).optional().describe('Absent means every type'),
  environments: z.array(Environment).optional().describe('Absent means every environment'),
  retry: RetryPolicy.optional(),
  cloudEventsMode: CloudEventsMode.optional().describe(
    'structured (the CloudEvent as body) or binary (data as body, attributes in ce- headers); ' +
      'absent means structured',
  ),
  ordering: DeliveryOrdering.optional().describe(
    'conversation: the events of one conversation are delivered one at a time in event-time ' +
      'order, a failing one holding up only its own conversation; none (the default when absent): ' +
      'no order is kept',
  ),
  statusMonotonic: z
    .boolean()
    .optional()
    .describe(
      'Never send a message status earlier in the progression (sent < delivered < read < played; ' +
        'failed terminal) than one already delivered for the same wamid; it is recorded as ' +
        'suppressed instead. Absent means false',
    ),
});
export type SubscriptionConfiguration = z.infer<typeof SubscriptionConfiguration>;

export const SubscriptionState = z.enum(['active', 'failing', 'disabled']);
export type SubscriptionState = z.infer<typeof SubscriptionState>;

/** A Standard Webhooks signing secret in clear: `whsec_` followed by base64. */
export const WhsecValue = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'Expected a whsec_ secret');

/** A Standard Webhooks signing secret: a `whsec_` value, sealed on the topic and at rest. */
export const WebhookSecret = Secret.extend({
  value: z.union([SealedValue, WhsecValue], {
    error: 'Expected a whsec_ secret or a sealed one',
  }),
});
export type WebhookSecret = z.infer<typeof WebhookSecret>;

/** Where and how a business receives one topic. One subscription per business and topic. */
export const SubscriptionRecord = z
  .object({
    kind: z.literal('subscription'),
    id: Id,
    businessId: Id,
    topic: SubscriptionTopic,
    address: z.url({ protocol: /^https?$/ }).describe('The subscriber endpoint'),
    state: SubscriptionState,
    configuration: SubscriptionConfiguration,
    secrets: z.array(WebhookSecret).min(1),
    updatedAt: IsoDateTime,
    version: RecordVersion,
  })
  .meta({
    title: 'SubscriptionRecord',
    description: 'A webhook subscription, on the compacted switchboard.config.v1 topic',
  });
export type SubscriptionRecord = z.infer<typeof SubscriptionRecord>;

/** A value on the compacted config topic (a null value there is a deletion). */
export const ConfigRecord = z.discriminatedUnion('kind', [SourceRecord, SubscriptionRecord]).meta({
  title: 'ConfigRecord',
  description: 'A source or subscription on the compacted switchboard.config.v1 topic',
});
export type ConfigRecord = z.infer<typeof ConfigRecord>;

/** What a config topic key names. */
export type ConfigKey =
  | { readonly kind: 'source'; readonly id: string }
  | {
      readonly kind: 'subscription';
      readonly businessId: string;
      readonly topic: SubscriptionTopic;
    };

/** The compaction key: `source:<id>` or `subscription:<businessId>:<topic>`. */
export function configKey(
  record:
    Pick<SourceRecord, 'kind' | 'id'> | Pick<SubscriptionRecord, 'kind' | 'businessId' | 'topic'>,
): string {
  return record.kind === 'source'
    ? `source:${record.id}`
    : `subscription:${record.businessId}:${record.topic}`;
}

/** Reads a config topic key; null when it is not one. */
export function parseConfigKey(key: string): ConfigKey | null {
  if (key.startsWith('source:')) {
    const id = key.slice('source:'.length);
    return Id.safeParse(id).success ? { kind: 'source', id } : null;
  }
  if (key.startsWith('subscription:')) {
    const rest = key.slice('subscription:'.length);
    const separator = rest.lastIndexOf(':');
    if (separator <= 0) return null;
    const businessId = rest.slice(0, separator);
    const topic = SubscriptionTopic.safeParse(rest.slice(separator + 1));
    return topic.success ? { kind: 'subscription', businessId, topic: topic.data } : null;
  }
  return null;
}
