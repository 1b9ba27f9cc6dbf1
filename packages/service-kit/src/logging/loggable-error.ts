/**
 * Properties of an error that describe what failed without carrying what was written: a driver's
 * SQLSTATE and the table, column or constraint, a socket's errno and address, retry hints. Every
 * other property is left out of log lines, above all a failed statement's `parameters` and
 * PostgreSQL's `detail` ("Key (secret)=(…) already exists", "Failing row contains (…)").
 */
const describingFields = [
  'code',
  'errno',
  'syscall',
  'address',
  'port',
  'statusCode',
  'retriable',
  'retryable',
  'severity',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'routine',
  'query',
] as const;

const MAX_DEPTH = 3;

/**
 * An error as a log line may show it: type, message and stack with the values a database quoted
 * from the statement replaced, the describing fields above, and its cause and driver error the
 * same way. Strings are treated as messages. Used as pino's `err` serializer and by the error
 * filter, so no failed write prints its parameters.
 */
export function loggableError(err: unknown, depth = 0): unknown {
  if (typeof err === 'string') return redactQuotedValues(err);
  if (typeof err !== 'object' || err === null) return err;
  const source = err as Record<string, unknown> & { constructor?: { name?: string } };
  const type = typeNameOf(source);
  const message = typeof source.message === 'string' ? redactQuotedValues(source.message) : '';
  const out: Record<string, unknown> = { type, message };
  if (typeof source.stack === 'string') out.stack = redactStack(source.stack, type, message);
  for (const field of describingFields) {
    const value = source[field];
    if (value !== undefined && value !== null && typeof value !== 'object') out[field] = value;
  }
  if (depth < MAX_DEPTH) {
    if (source.driverError !== undefined && source.driverError !== err) {
      out.driverError = loggableError(source.driverError, depth + 1);
    }
    if (source.cause !== undefined) out.cause = loggableError(source.cause, depth + 1);
  }
  return out;
}

/** The error's class; an already reduced error keeps its `type`, pg's generic name "error" gives way. */
function typeNameOf(source: Record<string, unknown> & { constructor?: { name?: string } }): string {
  if (source.name === undefined && typeof source.type === 'string') return source.type;
  if (typeof source.name === 'string' && source.name !== 'error') return source.name;
  return source.constructor?.name ?? 'Error';
}

/**
 * PostgreSQL quotes the offending value in some messages (`invalid input syntax for type uuid:
 * "…"`, `value out of range: "…"`) and lists values in others (`Key (col)=(…)`); those values can
 * be secrets from the statement's parameters.
 */
export function redactQuotedValues(message: string): string {
  return message
    .replace(/: "(?:[^"\\]|\\.)*"/g, ': "[redacted]"')
    .replace(/\)=\((?:.*)\)/g, ')=([redacted])')
    .replace(/Failing row contains \(.*\)/g, 'Failing row contains ([redacted])');
}

/** The stack's first lines repeat the message; they are rewritten with the redacted one. */
function redactStack(stack: string, type: string, message: string): string {
  const frames = stack.indexOf('\n    at ');
  return `${type}: ${message}${frames === -1 ? '' : stack.slice(frames)}`;
}
