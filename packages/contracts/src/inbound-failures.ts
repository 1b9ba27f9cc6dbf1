import { randomUUID } from 'node:crypto';
import { z } from 'zod';

import { ContractIssue, HeaderMap, Id, IsoDateTime, Sha256Hex } from './common';
import { type IncomingHeaders, redactHeaders, unredactedSecretHeaders } from './headers';
import { RawInboundEnvelope, sha256Hex } from './raw-inbound';

/** The source id recorded when a request could not be tied to a configured source. */
export const UNKNOWN_SOURCE = 'unknown';

/** Why ingress refused a request (it answered 4xx and stored nothing on the raw topic). */
export const RejectionReason = z.enum([
  'route_not_found',
  'source_not_found',
  'source_disabled',
  'signature_missing',
  'signature_invalid',
  'token_missing',
  'token_invalid',
  'timestamp_missing',
  'timestamp_stale',
  'body_too_large',
  'unsupported_media_type',
  'malformed_request',
  'verify_token_invalid',
]);
export type RejectionReason = z.infer<typeof RejectionReason>;

/** Headers of a refused request: credential and signature values are both redacted. */
export const RejectedHeaders = HeaderMap.superRefine((headers, ctx) => {
  for (const name of unredactedSecretHeaders(headers, { signatures: true })) {
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `Header "${name}" carries a secret or signature and must be redacted`,
    });
  }
});

/**
 * A request ingress refused, recorded for operators. It never carries the body, and header
 * values that hold credentials or signatures are replaced by `[redacted]`.
 */
export const RejectedRequest = z
  .object({
    id: z.uuid(),
    receivedAt: IsoDateTime,
    route: z
      .string()
      .min(1)
      .max(64)
      .describe('The route the request addressed, e.g. meta; may be unknown'),
    method: z.string().min(1).describe('HTTP method, e.g. POST, or GET for the Meta handshake'),
    sourceId: Id.describe('The source id the request addressed, or "unknown"'),
    businessId: Id.nullable().describe('Known only when the source was found'),
    reason: RejectionReason,
    message: z.string(),
    remoteAddress: z.string().nullable(),
    headers: RejectedHeaders,
    bodyBytes: z.number().int().nonnegative().describe('Length of the refused body in bytes'),
    bodySha256: Sha256Hex,
  })
  .meta({
    title: 'RejectedRequest',
    description: 'A request ingress refused with 4xx, on switchboard.inbound.rejected.v1',
  });
export type RejectedRequest = z.infer<typeof RejectedRequest>;

export interface RejectedRequestInput {
  readonly id?: string;
  readonly receivedAt?: Date | string;
  readonly route: string;
  readonly method: string;
  readonly sourceId?: string;
  readonly businessId?: string | null;
  readonly reason: RejectionReason;
  readonly message: string;
  readonly remoteAddress?: string | null;
  /** Redacted here: credential and signature values never reach the topic. */
  readonly headers?: IncomingHeaders;
  readonly body: Uint8Array;
}

/** Builds a rejection record, measuring and hashing the refused body without keeping it. */
export function createRejectedRequest(input: RejectedRequestInput): RejectedRequest {
  const receivedAt = input.receivedAt ?? new Date();
  return {
    id: input.id ?? randomUUID(),
    receivedAt: typeof receivedAt === 'string' ? receivedAt : receivedAt.toISOString(),
    route: input.route,
    method: input.method,
    sourceId: input.sourceId || UNKNOWN_SOURCE,
    businessId: input.businessId ?? null,
    reason: input.reason,
    message: input.message,
    remoteAddress: input.remoteAddress ?? null,
    headers: redactHeaders(input.headers ?? {}, { signatures: true }),
    bodyBytes: input.body.byteLength,
    bodySha256: sha256Hex(input.body),
  };
}

/** Why the normalizer could not turn a raw record into canonical events. */
export const DeadLetterReasonCode = z.enum([
  'envelope_malformed_json',
  'envelope_schema_violation',
  'payload_malformed_json',
  'payload_schema_violation',
  'payload_unsupported',
  'too_many_events',
  'processing_failed',
]);
export type DeadLetterReasonCode = z.infer<typeof DeadLetterReasonCode>;

/**
 * What was dead-lettered: the decoded raw envelope, the record's bytes when it did not decode, or
 * one item of a webhook whose other items were published (the whole webhook stays in the audit
 * log under `rawId`).
 */
export const DeadLetterOriginal = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('envelope'), envelope: RawInboundEnvelope }),
  z.object({
    kind: z.literal('item'),
    value: z.unknown().describe('The item at `pointer` exactly as the provider sent it'),
  }),
  z.object({
    kind: z.literal('bytes'),
    base64: z.base64().describe('The raw topic record value exactly as consumed'),
  }),
]);
export type DeadLetterOriginal = z.infer<typeof DeadLetterOriginal>;

/**
 * A raw record the normalizer could not process, with the reason and validation issues; or one
 * item of a raw webhook (`pointer` set, `original.kind` item) when its other items were published.
 */
export const DeadLetter = z
  .object({
    id: z.uuid(),
    rawId: z.string().min(1).nullable().describe('Null only when the raw record did not decode'),
    sourceId: Id.nullable(),
    receivedAt: IsoDateTime.nullable().describe('When ingress received the original request'),
    failedAt: IsoDateTime,
    reason: z.object({ code: DeadLetterReasonCode, message: z.string() }),
    issues: z.array(ContractIssue),
    pointer: z
      .string()
      .optional()
      .describe(
        'JSON Pointer (RFC 6901) of the one item that failed inside the raw body, e.g. ' +
          '/entry/0/changes/0/value/statuses/3; absent when the whole record failed',
      ),
    original: DeadLetterOriginal,
  })
  .meta({
    title: 'DeadLetter',
    description: 'A raw record the normalizer could not process, on switchboard.inbound.dlq.v1',
  });
export type DeadLetter = z.infer<typeof DeadLetter>;
