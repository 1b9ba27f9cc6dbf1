import {
  type ArgumentsHost,
  Catch,
  Logger,
  Optional,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import { AppError, ErrorTranslation, loggableError } from '@switchboard/service-kit';
import { type Observable, throwError } from 'rxjs';

const statusOf: Record<number, status> = {
  400: status.INVALID_ARGUMENT,
  401: status.UNAUTHENTICATED,
  403: status.PERMISSION_DENIED,
  404: status.NOT_FOUND,
  409: status.ALREADY_EXISTS,
  429: status.RESOURCE_EXHAUSTED,
  503: status.UNAVAILABLE,
  504: status.DEADLINE_EXCEEDED,
};

/**
 * What a failed call answers: a gRPC status, the message, and in metadata the REST error code
 * and the typed error's headers (`retry-after` for an unavailable database).
 */
export interface GrpcError {
  code: status;
  details: string;
  metadata: Metadata;
}

export function toGrpcError(exception: unknown): GrpcError {
  const metadata = new Metadata();
  if (exception instanceof AppError) {
    metadata.set('error-code', exception.code);
    for (const [name, value] of Object.entries(exception.headers)) metadata.set(name, value);
    return {
      code: statusOf[exception.httpStatus] ?? status.INTERNAL,
      details: exception.message,
      metadata,
    };
  }
  metadata.set('error-code', 'internal_error');
  return { code: status.INTERNAL, details: 'Internal error', metadata };
}

/**
 * Maps every error of a gRPC handler once, as `HttpErrorFilter` does for REST: typed errors as
 * they say, library errors a module registered a translation for likewise (PostgreSQL
 * unreachable: UNAVAILABLE `database_unavailable` with `retry-after`), unknown ones as INTERNAL.
 */
@Catch()
export class GrpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(GrpcErrorFilter.name);

  constructor(@Optional() private readonly translation?: ErrorTranslation) {}

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    let typed = exception instanceof AppError ? exception : undefined;
    if (!typed) {
      typed = this.translation?.translate(exception);
      if (typed) {
        this.logger.warn({ err: loggableError(exception), code: typed.code }, typed.message);
      } else {
        this.logger.error({ err: loggableError(exception) }, 'Unhandled gRPC error');
      }
    }
    const error = toGrpcError(typed ?? exception);
    return throwError(() => error);
  }
}
