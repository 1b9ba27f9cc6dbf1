import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppError, errorBody } from './app-error';

const statusCodes: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** Fastify's own request errors (raised before a handler runs), by their codes. */
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed_request',
};

/** Maps every error, once, to the JSON error body; unknown errors become an opaque 500. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof AppError) {
      void reply
        .headers(exception.headers)
        .status(exception.httpStatus)
        .send(errorBody(exception.code, exception.message));
      return;
    }
    const status = httpStatusOf(exception);
    if (status !== undefined) {
      const message = exception instanceof Error ? exception.message : 'Request failed';
      const code = fastifyCodes[(exception as { code?: string }).code ?? ''] ?? statusCodes[status];
      void reply.status(status).send(errorBody(code ?? `http_${status}`, message));
      return;
    }
    this.logger.error({ err: exception }, 'Unhandled error');
    void reply.status(500).send(errorBody('internal_error', 'Internal error'));
  }
}

/**
 * Nest's HttpException and Fastify's own request errors (body too large, bad content type) carry
 * a status. A bare `statusCode` on some other error (a client library's upstream answer) is only
 * trusted for 4xx; anything else stays an opaque 500 so no internal detail leaks.
 */
function httpStatusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  if (typeof exception === 'object' && exception !== null && 'statusCode' in exception) {
    const code = (exception as { statusCode: unknown }).statusCode;
    if (typeof code === 'number' && code >= 400 && code < 500) return code;
  }
  return undefined;
}
