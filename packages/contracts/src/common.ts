import { z } from 'zod';

/**
 * The provider families whose webhooks Switchboard accepts: Meta's Cloud API, the On-Premises
 * API (Cbot, 360dialog v1), Connectly, CubeConnect, and any Standard Webhooks sender.
 */
export const Provider = z.enum(['meta', 'onprem', 'connectly', 'cubeconnect', 'standard']);
export type Provider = z.infer<typeof Provider>;

/** Whether a source or an event belongs to a business's live traffic or its sandbox. */
export const Environment = z.enum(['production', 'sandbox']);
export type Environment = z.infer<typeof Environment>;

/** The topics a business can subscribe to; each has one public Kafka topic. */
export const SubscriptionTopic = z.enum([
  'messages',
  'delivery_status',
  'templates',
  'account',
  'users',
  'flows',
  'calls',
  'platform',
]);
export type SubscriptionTopic = z.infer<typeof SubscriptionTopic>;

/** An ISO 8601 date-time with `Z` or an explicit offset, e.g. `2026-03-10T14:30:00+03:00`. */
export const IsoDateTime = z.iso.datetime({ offset: true });
export type IsoDateTime = z.infer<typeof IsoDateTime>;

/** A non-empty identifier chosen by Switchboard or a provider. */
export const Id = z.string().min(1).max(256);

/** A lowercase hexadecimal SHA-256 digest. */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'Expected a lowercase hex SHA-256');

/**
 * HTTP headers kept with a request: lowercase names (RFC 9110 token characters) to values.
 * Only the headers that matter for verification, tracing and auditing are kept.
 */
export const HeaderMap = z.record(
  z.string().regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'Header names are lowercase tokens'),
  z.string(),
);
export type HeaderMap = z.infer<typeof HeaderMap>;

/** One schema violation, in the form dead letters and decode failures carry. */
export const ContractIssue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  code: z.string(),
});
export type ContractIssue = z.infer<typeof ContractIssue>;
