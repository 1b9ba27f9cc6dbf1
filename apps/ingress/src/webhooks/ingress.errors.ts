import type { RejectionReason } from '@switchboard/contracts';
import { AppError } from '@switchboard/service-kit';

/** Why ingress refused a request (the contract's reasons); each has one HTTP status. */
export type { RejectionReason };

const statusOf: Record<RejectionReason, number> = {
  route_not_found: 404,
  source_not_found: 404,
  source_disabled: 404,
  signature_missing: 401,
  signature_invalid: 401,
  timestamp_missing: 401,
  timestamp_stale: 401,
  token_missing: 401,
  token_invalid: 401,
  verify_token_invalid: 403,
  body_too_large: 413,
  unsupported_media_type: 415,
  malformed_request: 400,
};

/** A request ingress will not store: the provider must not retry it unchanged. */
export class WebhookRejectedError extends AppError {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(reason, message, statusOf[reason], false);
  }
}

/**
 * The webhook was not stored, and never will be from this request: it was not handed to Kafka
 * (Kafka is failing, the producer's queue is full, or its envelope was refused). 503 with
 * `Retry-After`, so the provider retries.
 */
export class StorageUnavailableError extends AppError {
  constructor(retryAfterSeconds: number, detail: string) {
    super('storage_unavailable', `The webhook was not stored (${detail}); retry later`, 503, true, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

/**
 * The webhook was handed to Kafka, which then reported a failure: a write that failed on its way
 * may still be on the log, so ingress cannot say it was not stored. 504 with `Retry-After`: the
 * provider retries, and a webhook stored twice is recognised as the same by the normalizer.
 */
export class StorageUnconfirmedError extends AppError {
  constructor(retryAfterSeconds: number, detail: string) {
    super(
      'storage_unconfirmed',
      `Kafka did not confirm the webhook was stored (${detail}); retry later`,
      504,
      true,
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

/**
 * Ingress holds as many webhook bodies as it may (`BODY_BYTES_IN_FLIGHT`): 503 with
 * `Retry-After`, answered before the body is read.
 */
export class IngressOverloadedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('overloaded', 'Ingress is receiving too many webhooks at once; retry later', 503, true, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

/** Ingress has just started and has not read every source yet: 503, so the provider retries. */
export class SourcesLoadingError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('sources_loading', 'Sources are still loading; retry shortly', 503, true, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}
