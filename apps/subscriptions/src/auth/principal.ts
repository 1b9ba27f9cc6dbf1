/** Who is calling: the operator (any business) or one business through one of its API keys. */
export type Principal =
  | { readonly kind: 'operator' }
  | { readonly kind: 'business'; readonly businessId: string; readonly keyId: string };

/** The credentials a call presented, whichever transport carried them. */
export interface Credentials {
  /** The `Authorization` header (REST) or metadata value (gRPC). */
  authorization?: string | undefined;
  /** The `X-API-Key` header or `x-api-key` metadata value. */
  apiKey?: string | undefined;
}
