import { AppError } from '@switchboard/service-kit';

/** No credentials, or credentials that match nothing: 401. */
export class UnauthenticatedError extends AppError {
  constructor(
    message = 'Send the operator key as Authorization: Bearer <key> or a business key as X-API-Key',
  ) {
    super('unauthorized', message, 401, false, { 'www-authenticate': 'Bearer' });
  }
}

/** A business key on an operator-only operation: 403. */
export class OperatorOnlyError extends AppError {
  constructor() {
    super('operator_only', 'Only the operator key may do this', 403, false);
  }
}
