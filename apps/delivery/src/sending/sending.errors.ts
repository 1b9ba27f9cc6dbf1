/** Why a webhook request got no HTTP answer. */
export type SendFailureCode =
  | 'address_refused'
  | 'address_invalid'
  | 'timeout'
  | 'connection_failed'
  | 'request_failed'
  /** The sender was closed (shutdown) while the request ran: no verdict on the endpoint. */
  | 'cancelled';

/**
 * A request that got no HTTP answer. Every one is retryable from the sender's point of view (a
 * DNS answer, an allowlist or an endpoint can change); the retry schedule bounds the attempts.
 */
export class SendError extends Error {
  readonly retryable = true;

  constructor(
    readonly code: SendFailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The SSRF guard refused to connect: the address is not public and not allowlisted. */
export class AddressRefusedError extends SendError {
  constructor(
    readonly host: string,
    readonly address: string,
    why: string,
  ) {
    super(
      'address_refused',
      host === address || address === ''
        ? `address refused: "${host}" is ${why}`
        : `address refused: "${host}" resolved to ${address}, ${why}`,
    );
  }
}

/** The subscription's address cannot be used as it is (not http(s), http not allowed, ...). */
export class AddressInvalidError extends SendError {
  constructor(message: string) {
    super('address_invalid', message);
  }
}
