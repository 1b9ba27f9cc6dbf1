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

/** Kafka did not take the webhook in time: 503 with `Retry-After`, so the provider retries. */
export class StorageUnavailableError extends AppError {
  constructor(retryAfterSeconds: number, detail: string) {
    super(
      'storage_unavailable',
      `The webhook could not be stored (${detail}); retry later`,
      503,
      true,
      { 'retry-after': String(retryAfterSeconds) },
    );
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
