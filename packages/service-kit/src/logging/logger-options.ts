import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { loggableError } from './loggable-error';

/** Header and field names whose values are secrets: never written to a log line. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  'req.headers["x-connectly-hmac-sha256"]',
  'req.headers["x-webhook-signature"]',
  'req.headers["webhook-signature"]',
  'req.query.token',
  'req.query["hub.verify_token"]',
  '*.secret',
  '*.secrets',
  '*.appSecret',
  '*.verifyToken',
  '*.password',
  // What a failed statement carries besides its message, logged under another key than `err`
  // (which goes through loggableError).
  '*.parameters',
  '*.detail',
  '*.driverError.parameters',
  '*.driverError.detail',
];

/**
 * JSON logs through pino, one object per line, secrets redacted: the paths above, and every `err`
 * is reduced to what describes the failure (see {@link loggableError}).
 */
export function loggerOptions(
  service: string,
  level: string,
  unloggedRoutes: string[] = [],
): Params {
  return {
    ...(unloggedRoutes.length > 0
      ? { exclude: unloggedRoutes.map((path) => ({ path, method: RequestMethod.ALL })) }
      : {}),
    pinoHttp: {
      level,
      base: { service },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: { err: loggableError },
      formatters: { log: withLoggableErrors },
      // Requests are counted in metrics; a log line per webhook costs more than it tells.
      autoLogging: false,
      quietReqLogger: true,
    },
  };
}

/** Errors logged under another key than `err` are reduced the same way. */
function withLoggableErrors(object: Record<string, unknown>): Record<string, unknown> {
  let out = object;
  for (const [key, value] of Object.entries(object)) {
    if (key === 'err' || !(value instanceof Error)) continue;
    if (out === object) out = { ...object };
    out[key] = loggableError(value);
  }
  return out;
}
