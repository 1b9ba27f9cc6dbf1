import { hash, randomUUID } from 'node:crypto';
import { z } from 'zod';

import { Environment, HeaderMap, Id, IsoDateTime, Provider, Sha256Hex } from './common';
import { type IncomingHeaders, redactHeaders, unredactedSecretHeaders } from './headers';

/**
 * The ingress route family a request arrived on. Today there is one route per provider family;
 * it is its own field so routes can diverge from providers (additively) later.
 */
export const IngressRoute = Provider;
export type IngressRoute = z.infer<typeof IngressRoute>;

/**
 * Headers kept with a verified request: signature headers stay (the audit log can re-verify the
 * bytes), credential headers (authorization, tokens, API keys, cookies) are redacted.
 */
export const RawHeaders = HeaderMap.superRefine((headers, ctx) => {
  for (const name of unredactedSecretHeaders(headers, { signatures: false })) {
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `Header "${name}" carries a credential and must be redacted`,
    });
  }
});

/**
 * A webhook exactly as ingress received and verified it, before any parsing. The body is the
 * bytes received, base64-encoded, so a body that is not even valid JSON is still kept.
 */
export const RawInboundEnvelope = z
  .object({
    id: z.uuid().describe('Assigned by ingress on receipt; the raw id every derived record keeps'),
    sourceId: Id.describe('The configured source whose secret verified the request'),
    provider: Provider,
    businessId: Id,
    environment: Environment,
    route: IngressRoute,
    receivedAt: IsoDateTime.describe('When ingress received the request'),
    contentType: z.string().describe('The Content-Type header as received (may be empty)'),
    headers: RawHeaders,
    body: z.base64().describe('The exact request body bytes, base64-encoded'),
    bodySha256: Sha256Hex.describe('SHA-256 of the body bytes (not of the base64 text)'),
  })
  .meta({
    title: 'RawInboundEnvelope',
    description: 'A verified webhook request as received, on switchboard.inbound.raw.v1',
  });
export type RawInboundEnvelope = z.infer<typeof RawInboundEnvelope>;

export interface RawEnvelopeInput {
  /** Defaults to a new random UUID. */
  readonly id?: string;
  readonly sourceId: string;
  readonly provider: Provider;
  readonly businessId: string;
  readonly environment: Environment;
  /** Defaults to the provider. */
  readonly route?: IngressRoute;
  /** Defaults to now. */
  readonly receivedAt?: Date | string;
  readonly contentType?: string;
  /** The headers worth keeping; credential values are redacted here. */
  readonly headers?: IncomingHeaders;
  readonly body: Uint8Array;
}

/** Lowercase hex SHA-256 of some bytes (one-shot: a quarter cheaper than a Hash object). */
export function sha256Hex(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

/** Builds an envelope from the received bytes, computing the base64 body and its digest. */
export function createRawEnvelope(input: RawEnvelopeInput): RawInboundEnvelope {
  const body = Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength);
  const receivedAt = input.receivedAt ?? new Date();
  return {
    id: input.id ?? randomUUID(),
    sourceId: input.sourceId,
    provider: input.provider,
    businessId: input.businessId,
    environment: input.environment,
    route: input.route ?? input.provider,
    receivedAt: typeof receivedAt === 'string' ? receivedAt : receivedAt.toISOString(),
    contentType: input.contentType ?? '',
    headers: redactHeaders(input.headers ?? {}, { signatures: false }),
    body: body.toString('base64'),
    bodySha256: sha256Hex(body),
  };
}

/** What {@link encodeRawEnvelope} gives: the envelope and its record value. */
export interface EncodedRawEnvelope {
  readonly envelope: RawInboundEnvelope;
  /** UTF-8 JSON, byte for byte what `encode(InboundRawTopic, envelope)` gives. */
  readonly value: Buffer;
}

const providers: ReadonlySet<string> = new Set(Provider.options);
const environments: ReadonlySet<string> = new Set(Environment.options);
const headerName = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * {@link createRawEnvelope} and `encode(InboundRawTopic, …)` in one step, for the request path:
 * the same envelope and the same bytes, at a fraction of the cost. The base64 body and its digest
 * are made here, so they need neither the schema's check nor JSON escaping (base64 text has
 * nothing to escape), and the other fields get the schema's checks only where the input can break
 * them: anything the quick checks do not vouch for goes through the full schema.
 * @throws z.ZodError when a field violates the schema, as `RawInboundEnvelope.parse` would.
 */
export function encodeRawEnvelope(input: RawEnvelopeInput): EncodedRawEnvelope {
  const envelope = createRawEnvelope(input);
  if (!quicklyValid(envelope, input)) RawInboundEnvelope.parse(envelope);
  // Field order and values as the schema's parse returns them, so as `JSON.stringify` of that.
  const json =
    `{"id":${JSON.stringify(envelope.id)},"sourceId":${JSON.stringify(envelope.sourceId)}` +
    `,"provider":${JSON.stringify(envelope.provider)},"businessId":${JSON.stringify(envelope.businessId)}` +
    `,"environment":${JSON.stringify(envelope.environment)},"route":${JSON.stringify(envelope.route)}` +
    `,"receivedAt":${JSON.stringify(envelope.receivedAt)},"contentType":${JSON.stringify(envelope.contentType)}` +
    // Base64 text and a hex digest have nothing JSON would escape.
    `,"headers":${JSON.stringify(envelope.headers)},"body":"${envelope.body}","bodySha256":"${envelope.bodySha256}"}`;
  return { envelope, value: Buffer.from(json, 'utf8') };
}

/**
 * True only when the schema surely accepts the envelope made from `input`; false says nothing
 * (the schema then decides). The body, its digest, a generated id and the redaction of credential
 * headers are right by construction.
 */
function quicklyValid(envelope: RawInboundEnvelope, input: RawEnvelopeInput): boolean {
  if (!isId(envelope.sourceId) || !isId(envelope.businessId)) return false;
  if (!providers.has(envelope.provider) || !providers.has(envelope.route)) return false;
  if (!environments.has(envelope.environment)) return false;
  if (typeof envelope.contentType !== 'string') return false;
  if (input.id !== undefined && !RawInboundEnvelope.shape.id.safeParse(input.id).success) {
    return false;
  }
  if (typeof input.receivedAt === 'string' || input.receivedAt === undefined) {
    if (!IsoDateTime.safeParse(envelope.receivedAt).success) return false;
  } else {
    const year = input.receivedAt.getUTCFullYear();
    if (!(year >= 1 && year <= 9999)) return false;
  }
  for (const name in envelope.headers) {
    if (!headerName.test(name) || typeof envelope.headers[name] !== 'string') return false;
  }
  return true;
}

function isId(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= 256;
}

/** The body bytes exactly as received. */
export function rawBodyBytes(envelope: Pick<RawInboundEnvelope, 'body'>): Buffer {
  return Buffer.from(envelope.body, 'base64');
}

/** Whether the body still hashes to the digest recorded at receipt. */
export function rawBodyIntact(envelope: Pick<RawInboundEnvelope, 'body' | 'bodySha256'>): boolean {
  return sha256Hex(rawBodyBytes(envelope)) === envelope.bodySha256;
}
