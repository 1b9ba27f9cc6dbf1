import type { ArgumentsHost } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { translateDatabaseError } from '@switchboard/database';
import { AppError, ErrorTranslation } from '@switchboard/service-kit';
import { firstValueFrom } from 'rxjs';
import { GrpcErrorFilter, type GrpcError } from './grpc-error.filter';

/** What the filter answers for an exception. */
async function answerFor(filter: GrpcErrorFilter, exception: unknown): Promise<GrpcError> {
  try {
    await firstValueFrom(filter.catch(exception, {} as ArgumentsHost));
  } catch (err) {
    return err as GrpcError;
  }
  throw new Error('expected the filter to fail the call');
}

describe(GrpcErrorFilter.name, () => {
  const translation = new ErrorTranslation();
  translation.register(translateDatabaseError);
  const filter = new GrpcErrorFilter(translation);

  it('answers a refused PostgreSQL connection UNAVAILABLE database_unavailable with retry-after', async () => {
    // given the error pg raises when the server is down
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), {
      code: 'ECONNREFUSED',
    });

    // when a handler fails with it
    const answer = await answerFor(filter, refused);

    // then the caller learns the database is unavailable and when to retry
    expect(answer.code).toBe(status.UNAVAILABLE);
    expect(answer.details).toBe('The database is unavailable; retry shortly');
    expect(answer.metadata.get('error-code')).toEqual(['database_unavailable']);
    expect(answer.metadata.get('retry-after')).toEqual(['5']);
  });

  it('maps typed errors by their HTTP status', async () => {
    const answer = await answerFor(filter, new AppError('not_found', 'No such source', 404, false));
    expect(answer.code).toBe(status.NOT_FOUND);
    expect(answer.details).toBe('No such source');
    expect(answer.metadata.get('error-code')).toEqual(['not_found']);
  });

  it('answers an unknown error INTERNAL without its message', async () => {
    const answer = await answerFor(filter, new Error('relation "secrets" does not exist'));
    expect(answer.code).toBe(status.INTERNAL);
    expect(answer.details).toBe('Internal error');
    expect(answer.metadata.get('error-code')).toEqual(['internal_error']);
  });
});
