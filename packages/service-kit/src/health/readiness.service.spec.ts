import { type ReadinessCheck, ReadinessService, withTimeout } from './readiness.service';

function check(name: string, run: () => Promise<void>): ReadinessCheck {
  return { name, check: run };
}

const ok = () => Promise.resolve();

describe(ReadinessService.name, () => {
  it('is ready when every check passes', async () => {
    // given two dependencies that answer
    const readiness = new ReadinessService(1_000);
    readiness.register(check('kafka', ok));
    readiness.register(check('postgres', ok));

    // when the report is taken
    const report = await readiness.report();

    // then the service is ready and each check is listed as ok
    expect(report).toEqual({
      ready: true,
      checks: { kafka: { ok: true }, postgres: { ok: true } },
    });
  });

  it('is not ready when one check fails, and says why', async () => {
    // given one dependency that refuses connections
    const readiness = new ReadinessService(1_000);
    readiness.register(check('kafka', ok));
    readiness.register(check('postgres', () => Promise.reject(new Error('connection refused'))));

    // when the report is taken
    const report = await readiness.report();

    // then the service is not ready, the failing check carries its error and the other stays ok
    expect(report).toEqual({
      ready: false,
      checks: {
        kafka: { ok: true },
        postgres: { ok: false, error: 'connection refused' },
      },
    });
  });

  it('reports a rejection that is not an Error as text', async () => {
    const readiness = new ReadinessService(1_000);
    readiness.register(check('cache', () => Promise.reject('not caught up')));

    const report = await readiness.report();

    expect(report.checks.cache).toEqual({ ok: false, error: 'not caught up' });
  });

  it('reports a check that hangs as timed out instead of hanging itself', async () => {
    // given a check that never settles, and a 50 ms timeout
    const readiness = new ReadinessService(50);
    readiness.register(check('kafka', () => new Promise<void>(() => undefined)));
    readiness.register(check('postgres', ok));

    // when the report is taken
    const report = await readiness.report();

    // then the hanging check is reported as not answering in time
    expect(report.ready).toBe(false);
    expect(report.checks.kafka).toEqual({ ok: false, error: 'kafka did not answer in 50 ms' });
    expect(report.checks.postgres).toEqual({ ok: true });
  });

  it('keeps the latest check registered under a name', async () => {
    // given a failing check replaced by a passing one of the same name
    const readiness = new ReadinessService(1_000);
    readiness.register(check('kafka', () => Promise.reject(new Error('down'))));
    readiness.register(check('kafka', ok));

    // then only the latest one counts
    expect(await readiness.report()).toEqual({ ready: true, checks: { kafka: { ok: true } } });
  });
});

describe(withTimeout.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves with the value and leaves no timer behind', async () => {
    // given a promise that settles before the timeout
    const result = withTimeout(Promise.resolve(42), 1_000, 'too slow');

    // when it settles
    await expect(result).resolves.toBe(42);

    // then its timer has been cleared
    expect(jest.getTimerCount()).toBe(0);
  });

  it('passes a rejection through and leaves no timer behind', async () => {
    const result = withTimeout(Promise.reject(new Error('refused')), 1_000, 'too slow');

    await expect(result).rejects.toThrow('refused');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with the message once the time is up, and not before', async () => {
    // given a promise that never settles
    let settled: string | undefined;
    const result = withTimeout(new Promise<never>(() => undefined), 1_000, 'too slow').catch(
      (err: Error) => {
        settled = err.message;
      },
    );

    // when 999 ms pass, then it is still waiting
    await jest.advanceTimersByTimeAsync(999);
    expect(settled).toBeUndefined();

    // when the last millisecond passes, then it rejects with the message
    await jest.advanceTimersByTimeAsync(1);
    await result;
    expect(settled).toBe('too slow');
    expect(jest.getTimerCount()).toBe(0);
  });
});
