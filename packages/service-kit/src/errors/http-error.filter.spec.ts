import {
  type ArgumentsHost,
  BadRequestException,
  HttpException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { AppError } from './app-error';
import { ErrorTranslation } from './error-translation';
import { HttpErrorFilter } from './http-error.filter';

/** Records what the filter answers, as Fastify's reply would send it. */
class FakeReply {
  statusCode: number | undefined;
  sentHeaders: Record<string, string> = {};
  body: unknown;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  headers(values: Record<string, string>): this {
    Object.assign(this.sentHeaders, values);
    return this;
  }

  send(payload: unknown): this {
    this.body = payload;
    return this;
  }
}

function answer(exception: unknown, translation?: ErrorTranslation): FakeReply {
  const reply = new FakeReply();
  const host = {
    switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({}) }),
  } as unknown as ArgumentsHost;
  new HttpErrorFilter(translation).catch(exception, host);
  return reply;
}

class StoreUnavailableError extends AppError {
  constructor() {
    super('store_unavailable', 'The store is unavailable; retry shortly', 503, true, {
      'retry-after': '5',
    });
  }
}

/** What a failed INSERT looks like once the ORM has wrapped the driver's error. */
function failedWrite(secret: string): Error {
  const driverError = Object.assign(new Error(`invalid input syntax for type uuid: "${secret}"`), {
    code: '22P02',
    detail: `Key (secret)=(${secret}) already exists.`,
    routine: 'string_to_uuid',
  });
  return Object.assign(new Error(driverError.message), {
    name: 'QueryFailedError',
    query: 'INSERT INTO secrets (id, secret) VALUES ($1, $2)',
    parameters: ['id-1', secret],
    driverError,
    code: '22P02',
    detail: driverError.detail,
  });
}

class KafkaUnavailableError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('kafka_unavailable', 'Try again shortly', 503, true, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

describe(HttpErrorFilter.name, () => {
  beforeEach(() => {
    // Unhandled errors are logged; keep the test output quiet.
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers an AppError with its status, headers, code and message', () => {
    // given a typed error that asks the caller to retry after 5 s
    const error = new KafkaUnavailableError(5);

    // when it reaches the filter
    const reply = answer(error);

    // then the answer carries all of it
    expect(reply.statusCode).toBe(503);
    expect(reply.sentHeaders).toEqual({ 'retry-after': '5' });
    expect(reply.body).toEqual({
      error: { code: 'kafka_unavailable', message: 'Try again shortly' },
    });
  });

  it('answers a plain AppError without extra headers', () => {
    const reply = answer(new AppError('source_unknown', 'No such source', 404, false));
    expect(reply.statusCode).toBe(404);
    expect(reply.sentHeaders).toEqual({});
    expect(reply.body).toEqual({ error: { code: 'source_unknown', message: 'No such source' } });
  });

  it('maps a Nest HttpException to its status and a code named after it', () => {
    // given Nest's own exceptions
    const notFound = answer(new NotFoundException());
    const badRequest = answer(new BadRequestException('limit must be a number'));

    // then each keeps its status and gets a readable code
    expect(notFound.statusCode).toBe(404);
    expect(notFound.body).toEqual({ error: { code: 'not_found', message: 'Not Found' } });
    expect(badRequest.statusCode).toBe(400);
    expect(badRequest.body).toEqual({
      error: { code: 'bad_request', message: 'limit must be a number' },
    });
  });

  it('names an HttpException with an unlisted status by its number', () => {
    const reply = answer(new HttpException('I am a teapot', 418));
    expect(reply.statusCode).toBe(418);
    expect(reply.body).toEqual({ error: { code: 'http_418', message: 'I am a teapot' } });
  });

  it('maps an error carrying statusCode 413 to body_too_large', () => {
    // given what Fastify raises for an oversized body, and a bare object with the status
    const fastifyError = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    const bare = { statusCode: 413 };

    // then both are answered 413 body_too_large
    expect(answer(fastifyError)).toMatchObject({
      statusCode: 413,
      body: { error: { code: 'body_too_large', message: 'Request body is too large' } },
    });
    expect(answer(bare)).toMatchObject({
      statusCode: 413,
      body: { error: { code: 'body_too_large', message: 'Request failed' } },
    });
  });

  it("prefers Fastify's error code to the status when it is known", () => {
    // given Fastify's error for a body that is not valid JSON
    const error = Object.assign(new Error('Body is not valid JSON'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });

    // then the answer says malformed_json rather than bad_request
    expect(answer(error)).toMatchObject({
      statusCode: 400,
      body: { error: { code: 'malformed_json' } },
    });
  });

  it('answers an error a module translated as the typed error it stands for', () => {
    // given a module that knows its store's "connection refused" as a retryable 503
    const translation = new ErrorTranslation();
    translation.register((err) =>
      (err as { code?: string }).code === 'ECONNREFUSED' ? new StoreUnavailableError() : undefined,
    );
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), {
      code: 'ECONNREFUSED',
    });

    // when that error reaches the filter, then it is answered 503 with Retry-After
    const reply = answer(refused, translation);
    expect(reply.statusCode).toBe(503);
    expect(reply.sentHeaders).toEqual({ 'retry-after': '5' });
    expect(reply.body).toEqual({
      error: { code: 'store_unavailable', message: 'The store is unavailable; retry shortly' },
    });

    // and an error no module knows stays an opaque 500
    expect(answer(new Error('other'), translation).statusCode).toBe(500);
  });

  it("logs an unhandled failed write without the statement's parameters or quoted values", () => {
    // given a failed INSERT whose parameters include a secret
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

    // when it reaches the filter
    answer(failedWrite('whsec_s3cr3t'));

    // then the log line names the failure but carries no secret
    expect(logged).toHaveBeenCalledTimes(1);
    const line = JSON.stringify(logged.mock.calls[0]);
    expect(line).toContain('QueryFailedError');
    expect(line).toContain('22P02');
    expect(line).not.toContain('whsec_s3cr3t');
  });

  it.each([
    ['an Error', new Error('password=hunter2 at db.internal:5432')],
    ['a string', 'password=hunter2'],
    ['an object with a non-error statusCode', { statusCode: 200, message: 'password=hunter2' }],
    [
      "a client library's upstream 502",
      Object.assign(new Error('upstream said password=hunter2'), { statusCode: 502 }),
    ],
    ['undefined', undefined],
  ])('answers %s as an opaque 500 internal_error', (_, thrown) => {
    // when something unknown is thrown
    const reply = answer(thrown);

    // then the answer is a generic 500 that does not leak what was thrown
    expect(reply.statusCode).toBe(500);
    expect(reply.body).toEqual({ error: { code: 'internal_error', message: 'Internal error' } });
    expect(JSON.stringify(reply.body)).not.toContain('hunter2');
  });
});
