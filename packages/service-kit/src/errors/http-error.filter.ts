import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
  Optional,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { loggableError } from '../logging/loggable-error';
import { AppError, errorBody } from './app-error';
import { ErrorTranslation } from './error-translation';

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

/**
 * Maps every error, once, to the JSON error body: typed errors as they say, library errors a module
 * registered a translation for (PostgreSQL unreachable: 503 with Retry-After) likewise, unknown
 * errors as an opaque 500. Logged errors never show a failed statement's parameters.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  constructor(@Optional() private readonly translation?: ErrorTranslation) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof AppError) {
      this.sendAppError(reply, exception);
      return;
    }
    const translated = this.translation?.translate(exception);
    if (translated) {
      this.logger.warn(
        { err: loggableError(exception), code: translated.code },
        translated.message,
      );
      this.sendAppError(reply, translated);
      return;
    }
    const status = httpStatusOf(exception);
    if (status !== undefined) {
      const message = exception instanceof Error ? exception.message : 'Request failed';
      const code = fastifyCodes[(exception as { code?: string }).code ?? ''] ?? statusCodes[status];
      void reply.status(status).send(errorBody(code ?? `http_${status}`, message));
      return;
    }
    this.logger.error({ err: loggableError(exception) }, 'Unhandled error');
    void reply.status(500).send(errorBody('internal_error', 'Internal error'));
  }

  private sendAppError(reply: FastifyReply, error: AppError): void {
    void reply
      .headers(error.headers)
      .status(error.httpStatus)
      .send(errorBody(error.code, error.message));
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
