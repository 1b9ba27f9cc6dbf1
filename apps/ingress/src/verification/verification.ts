/** Everything a verifier may look at, as received. */
export interface InboundRequest {
  /** Lower-case header names; repeated headers joined by Fastify. */
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type VerificationFailure =
  | 'signature_missing'
  | 'signature_invalid'
  | 'timestamp_missing'
  | 'timestamp_stale'
  | 'token_missing'
  | 'token_invalid';

export type VerificationResult =
  { ok: true } | { ok: false; reason: VerificationFailure; message: string };

export const verified: VerificationResult = { ok: true };

export function failed(reason: VerificationFailure, message: string): VerificationResult {
  return { ok: false, reason, message };
}

export function header(request: InboundRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function queryParam(request: InboundRequest, name: string): string | undefined {
  const value = request.query[name];
  return Array.isArray(value) ? value[0] : value;
}
