import type { Provider } from '@switchboard/contracts';
import { constantTimeEqual, fromBase64, fromHex, hmacSha256, secretsEqual } from './hmac';
import {
  failed,
  header,
  type InboundRequest,
  queryParam,
  verified,
  type VerificationResult,
} from './verification';

export interface VerificationContext {
  /** Every secret of the source that is live now (several during a rotation). */
  secrets: readonly string[];
  now: Date;
  /** How far a signed timestamp may be from `now`, either way. */
  toleranceSeconds: number;
}

export type Verifier = (
  request: InboundRequest,
  context: VerificationContext,
) => VerificationResult;

/** Meta Cloud API (and Meta-format channel webhooks): `X-Hub-Signature-256: sha256=<hex>` over the body. */
export const verifyMeta: Verifier = (request, { secrets }) => {
  const signature = header(request, 'x-hub-signature-256');
  if (!signature) return failed('signature_missing', 'X-Hub-Signature-256 header is missing');
  if (!signature.startsWith('sha256=')) {
    return failed('signature_invalid', 'X-Hub-Signature-256 must be "sha256=<hex digest>"');
  }
  const given = fromHex(signature.slice('sha256='.length));
  return anySecret(secrets, (secret) => constantTimeEqual(given, hmacSha256(secret, request.body)))
    ? verified
    : failed('signature_invalid', 'X-Hub-Signature-256 does not match the body');
};

/** On-Premises API (Cbot, 360dialog v1): the source's token in `?token=` or `Authorization: Bearer`. */
export const verifyOnPrem: Verifier = (request, { secrets }) => {
  const authorization = header(request, 'authorization');
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  const token = bearer ?? queryParam(request, 'token');
  if (!token)
    return failed('token_missing', 'Send the source token as ?token= or Authorization: Bearer');
  return anySecret(secrets, (secret) => secretsEqual(token, secret))
    ? verified
    : failed('token_invalid', 'The token does not match the source');
};

/** Connectly: `x-connectly-hmac-sha256`, base64 HMAC-SHA256 over the body. */
export const verifyConnectly: Verifier = (request, { secrets }) => {
  const signature = header(request, 'x-connectly-hmac-sha256');
  if (!signature) return failed('signature_missing', 'x-connectly-hmac-sha256 header is missing');
  const given = fromBase64(signature.trim());
  return anySecret(secrets, (secret) => constantTimeEqual(given, hmacSha256(secret, request.body)))
    ? verified
    : failed('signature_invalid', 'x-connectly-hmac-sha256 does not match the body');
};

/** CubeConnect: `X-Webhook-Signature`, hex HMAC-SHA256 over `{X-Webhook-Timestamp}.{body}`. */
export const verifyCubeConnect: Verifier = (request, { secrets, now, toleranceSeconds }) => {
  const signature = header(request, 'x-webhook-signature');
  const timestamp = header(request, 'x-webhook-timestamp');
  if (!signature) return failed('signature_missing', 'X-Webhook-Signature header is missing');
  if (!timestamp) return failed('timestamp_missing', 'X-Webhook-Timestamp header is missing');
  const at = parseTimestamp(timestamp);
  if (at === undefined) return failed('timestamp_stale', 'X-Webhook-Timestamp is not a valid time');
  if (Math.abs(now.getTime() - at) > toleranceSeconds * 1000) {
    return failed('timestamp_stale', `X-Webhook-Timestamp is more than ${toleranceSeconds} s away`);
  }
  const given = fromHex(signature.trim().replace(/^sha256=/, ''));
  return anySecret(secrets, (secret) =>
    constantTimeEqual(given, hmacSha256(secret, `${timestamp}.`, request.body)),
  )
    ? verified
    : failed('signature_invalid', 'X-Webhook-Signature does not match the timestamp and body');
};

/**
 * Standard Webhooks: `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`
 * with one or more space-separated `v1,<base64>` entries over `{id}.{timestamp}.{body}`.
 * Secrets are `whsec_<base64 key>`; a secret without that prefix is used as raw key bytes.
 */
export const verifyStandard: Verifier = (request, { secrets, now, toleranceSeconds }) => {
  const id = header(request, 'webhook-id');
  const timestamp = header(request, 'webhook-timestamp');
  const signatures = header(request, 'webhook-signature');
  if (!id || !signatures) {
    return failed('signature_missing', 'webhook-id and webhook-signature headers are required');
  }
  if (!timestamp) return failed('timestamp_missing', 'webhook-timestamp header is missing');
  if (!/^\d{1,12}$/.test(timestamp)) {
    return failed('timestamp_stale', 'webhook-timestamp must be unix seconds');
  }
  if (Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp)) > toleranceSeconds) {
    return failed('timestamp_stale', `webhook-timestamp is more than ${toleranceSeconds} s away`);
  }
  const given = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => fromBase64(s.slice(3)));
  if (given.length === 0)
    return failed('signature_invalid', 'webhook-signature has no v1 signature');
  const matches = anySecret(secrets, (secret) => {
    const expected = hmacSha256(standardKey(secret), `${id}.${timestamp}.`, request.body);
    return given.some((g) => constantTimeEqual(g, expected));
  });
  return matches ? verified : failed('signature_invalid', 'No webhook-signature matches the body');
};

/**
 * A static token in a header, for sources whose provider sends a token rather than a signature
 * (Cunnekt): the header's value, or in `authorization` also `Bearer <token>`, must equal one of
 * the source's live secrets (compared in constant time). The body is not signed by such a token.
 */
export function headerTokenVerifier(name: string): Verifier {
  return (request, { secrets }) => {
    const value = header(request, name)?.trim();
    const bearer = name === 'authorization' ? value?.match(/^Bearer(?:\s+|$)(.*)$/i) : null;
    const token = bearer ? bearer[1]?.trim() : value;
    if (!token) return failed('token_missing', `Send the source token in the ${name} header`);
    return anySecret(secrets, (secret) => secretsEqual(token, secret))
      ? verified
      : failed('token_invalid', `The ${name} token does not match the source`);
  };
}

export const verifiers: Readonly<Record<Provider, Verifier>> = {
  meta: verifyMeta,
  onprem: verifyOnPrem,
  connectly: verifyConnectly,
  cubeconnect: verifyCubeConnect,
  standard: verifyStandard,
};

/** Checks every secret, without stopping at the first match, so timing says nothing about which. */
function anySecret(secrets: readonly string[], matches: (secret: string) => boolean): boolean {
  let ok = false;
  for (const secret of secrets) ok = matches(secret) || ok;
  return ok;
}

function standardKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
}

/** ISO 8601 as CubeConnect documents it; unix seconds accepted leniently. */
function parseTimestamp(value: string): number | undefined {
  if (/^\d{9,12}$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
