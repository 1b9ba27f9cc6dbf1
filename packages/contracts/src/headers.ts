import type { HeaderMap } from './common';

/** The value that replaces a secret-bearing header's value wherever headers are recorded. */
export const REDACTED = '[redacted]';

/** Headers that carry credentials: tokens, passwords, API keys, cookies. */
const CREDENTIAL_HEADER = /authorization|cookie|token|secret|password|api-?key/;

/** Headers that carry a provider's signature over the body. */
const SIGNATURE_HEADER = /signature|hmac/;

/** Whether a header carries a credential (never recorded on any topic). */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name.toLowerCase());
}

/** Whether a header carries a signature (kept on the raw topic, redacted on the rejected topic). */
export function isSignatureHeader(name: string): boolean {
  return SIGNATURE_HEADER.test(name.toLowerCase());
}

/** Header values as HTTP servers hand them over (Node's `IncomingHttpHeaders` fits). */
export type IncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface RedactOptions {
  /** Also redact signature headers (rejected requests); raw envelopes keep them for re-verification. */
  readonly signatures: boolean;
}

/**
 * Lowercases header names, joins repeated values with `, `, drops absent ones and replaces the
 * values of secret-bearing headers with {@link REDACTED}.
 */
export function redactHeaders(headers: IncomingHeaders, options: RedactOptions): HeaderMap {
  const result: HeaderMap = {};
  for (const [rawName, rawValue] of Object.entries(headers)) {
    if (rawValue === undefined) continue;
    const name = rawName.toLowerCase();
    const value = typeof rawValue === 'string' ? rawValue : rawValue.join(', ');
    const secret = isCredentialHeader(name) || (options.signatures && isSignatureHeader(name));
    result[name] = secret ? REDACTED : value;
  }
  return result;
}

/** Names of headers that carry a secret value which was not redacted. */
export function unredactedSecretHeaders(headers: HeaderMap, options: RedactOptions): string[] {
  return Object.entries(headers)
    .filter(
      ([name, value]) =>
        value !== REDACTED &&
        (isCredentialHeader(name) || (options.signatures && isSignatureHeader(name))),
    )
    .map(([name]) => name);
}
