import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';

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
];

/** JSON logs through pino, one object per line, secrets redacted. */
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
      // Requests are counted in metrics; a log line per webhook costs more than it tells.
      autoLogging: false,
      quietReqLogger: true,
    },
  };
}
