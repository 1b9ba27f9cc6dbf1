import { AppError } from '@switchboard/service-kit';

/** PostgreSQL cannot be reached or dropped the connection: nothing was done, the caller may retry. */
export class DatabaseUnavailableError extends AppError {
  constructor() {
    super('database_unavailable', 'The database is unavailable; retry shortly', 503, true, {
      'retry-after': '5',
    });
  }
}

/** Socket errors of a server that is down, unreachable or gone mid-query. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** SQLSTATEs of a server that refuses or ends sessions: shutting down, starting, full. */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);

/** What pg and its pool say when a connection could not be made or broke. */
const connectionMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Connection ended',
];

/**
 * Whether an error (as pg, its pool or TypeORM raise it, possibly wrapped) means PostgreSQL is
 * unavailable rather than that the statement was wrong.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const { code, message, driverError, cause, errors } = err as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (socketCodes.has(code) || unavailableStates.has(code) || code.startsWith('08')) return true;
  }
  if (typeof message === 'string' && connectionMessages.some((m) => message.includes(m))) {
    return true;
  }
  // An AggregateError of every address tried (IPv4 and IPv6 of localhost) when none answers.
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.every((e: unknown) => isDatabaseUnavailable(e, depth + 1));
  }
  return isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(cause, depth + 1);
}

/** The typed error an unavailable database stands for, for the HTTP error filter. */
export function translateDatabaseError(err: unknown): DatabaseUnavailableError | undefined {
  return isDatabaseUnavailable(err) ? new DatabaseUnavailableError() : undefined;
}
