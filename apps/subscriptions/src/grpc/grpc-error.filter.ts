import { type ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import { AppError } from '@switchboard/service-kit';
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

/** What a failed call answers: a gRPC status, the message, and the REST error code in metadata. */
export interface GrpcError {
  code: status;
  details: string;
  metadata: Metadata;
}

export function toGrpcError(exception: unknown): GrpcError {
  const metadata = new Metadata();
  if (exception instanceof AppError) {
    metadata.set('error-code', exception.code);
    return {
      code: statusOf[exception.httpStatus] ?? status.INTERNAL,
      details: exception.message,
      metadata,
    };
  }
  metadata.set('error-code', 'internal_error');
  return { code: status.INTERNAL, details: 'Internal error', metadata };
}

/** Maps every error of a gRPC handler once, as `HttpErrorFilter` does for REST. */
@Catch()
export class GrpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(GrpcErrorFilter.name);

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    if (!(exception instanceof AppError))
      this.logger.error({ err: exception }, 'Unhandled gRPC error');
    const error = toGrpcError(exception);
    return throwError(() => error);
  }
}
