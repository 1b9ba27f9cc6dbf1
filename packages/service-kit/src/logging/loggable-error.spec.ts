import { Writable } from 'node:stream';
import pino, { type LoggerOptions } from 'pino';
import { loggableError, redactQuotedValues } from './loggable-error';
import { loggerOptions } from './logger-options';

const secret = 'whsec_s3cr3t';

/** A failed INSERT as TypeORM hands it over: the driver's error wrapped, with the parameters. */
function failedWrite(): Error {
  const driverError = Object.assign(
    new Error(`duplicate key value violates unique constraint "secrets_value_key"`),
    {
      code: '23505',
      detail: `Key (value)=(${secret}) already exists.`,
      table: 'secrets',
      constraint: 'secrets_value_key',
      parameters: ['sec_1', secret],
    },
  );
  return Object.assign(new Error(driverError.message), {
    name: 'QueryFailedError',
    query: 'INSERT INTO secrets (id, value) VALUES ($1, $2)',
    parameters: ['sec_1', secret],
    driverError,
    cause: driverError,
  });
}

/** Everything the service's pino logger writes, one JSON line per entry. */
function serviceLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const options = loggerOptions('test', 'info').pinoHttp as LoggerOptions;
  return { logger: pino(options, sink), lines };
}

describe('loggableError', () => {
  it('keeps what describes a failed write and drops its parameters and detail', () => {
    const logged = loggableError(failedWrite()) as Record<string, unknown>;

    expect(logged).toMatchObject({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint "secrets_value_key"',
      query: 'INSERT INTO secrets (id, value) VALUES ($1, $2)',
      driverError: { code: '23505', table: 'secrets', constraint: 'secrets_value_key' },
    });
    expect(JSON.stringify(logged)).not.toContain(secret);
  });

  it.each([
    [
      `invalid input syntax for type uuid: "${secret}"`,
      'invalid input syntax for type uuid: "[redacted]"',
    ],
    [`Key (value)=(${secret}) already exists.`, 'Key (value)=([redacted]) already exists.'],
    [`Failing row contains (sec_1, ${secret}).`, 'Failing row contains ([redacted]).'],
    ['relation "secrets" does not exist', 'relation "secrets" does not exist'],
  ])('redacts the values PostgreSQL quotes in %s', (message, redacted) => {
    expect(redactQuotedValues(message)).toBe(redacted);
  });

  it("never lets the service's logger print a failed write's secret, under any key", () => {
    // given the logger every service builds from loggerOptions
    const { logger, lines } = serviceLogger();
    const error = failedWrite();

    // when the failure is logged as err, as a nested error, and its parameters on their own
    logger.error({ err: error }, 'Write failed');
    logger.error({ failure: error }, 'Write failed');
    logger.error({ err: error.message, query: { parameters: [secret] } }, 'Write failed');

    // then the lines describe the failure, and none carries the secret
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('23505');
    for (const line of lines) expect(line).not.toContain(secret);
  });
});
