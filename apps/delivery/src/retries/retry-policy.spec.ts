import {
  decideVerdict,
  parseRetryAfter,
  type RetrySettings,
  retryDelayMs,
  withJitter,
} from './retry-policy';

const settings: RetrySettings = {
  defaultSchedule: [5, 30, 120],
  scale: 1,
  jitter: 0.2,
  retryAfterMaxSeconds: 3_600,
};
const now = new Date('2026-03-10T12:00:00Z');
const failure = (statusCode: number | null, retryAfter: string | null = null) => ({
  statusCode,
  retryAfter,
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date, counting from now, and a past date as now', () => {
    expect(parseRetryAfter('Tue, 10 Mar 2026 12:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Tue, 10 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('retry delays', () => {
  it('spreads a delay by at most the jitter either way', () => {
    expect(withJitter(10_000, 0.2, 0)).toBe(8_000);
    expect(withJitter(10_000, 0.2, 0.5)).toBe(10_000);
    expect(withJitter(10_000, 0.2, 0.999999)).toBeLessThanOrEqual(12_000);
    for (let i = 0; i < 1_000; i++) {
      const delay = withJitter(5_000, 0.2, Math.random());
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(6_000);
    }
  });

  it('follows the schedule, scaled, and ends after its last delay', () => {
    const scaled = { scale: 0.01, jitter: 0 };
    expect(retryDelayMs(1, [5, 30, 120], scaled, 0.5)).toBe(50);
    expect(retryDelayMs(3, [5, 30, 120], scaled, 0.5)).toBe(1_200);
    expect(retryDelayMs(4, [5, 30, 120], scaled, 0.5)).toBeNull();
  });
});

describe('decideVerdict', () => {
  const input = (result: ReturnType<typeof failure>, attemptsInSchedule = 1) => ({
    result,
    attemptsInSchedule,
    schedule: undefined,
    now,
    random: 0.5,
  });

  it('succeeds on any 2xx', () => {
    expect(decideVerdict(input(failure(200)), settings)).toEqual({ outcome: 'succeeded' });
    expect(decideVerdict(input(failure(204)), settings)).toEqual({ outcome: 'succeeded' });
  });

  it('retries other answers and missing answers after the next delay of the schedule', () => {
    // given a first attempt that failed with 500, and a third that got no answer
    const first = decideVerdict(input(failure(500)), settings);
    const third = decideVerdict(input(failure(null), 3), settings);

    // then they are retried after 5 s and 120 s
    expect(first).toEqual({ outcome: 'failed', nextAttemptAt: new Date(now.getTime() + 5_000) });
    expect(third).toEqual({ outcome: 'failed', nextAttemptAt: new Date(now.getTime() + 120_000) });
    // and a redirect is a failure too (redirects are not followed)
    expect(decideVerdict(input(failure(302)), settings).outcome).toBe('failed');
  });

  it("uses the subscription's own schedule when it has one", () => {
    const verdict = decideVerdict({ ...input(failure(503)), schedule: [60] }, settings);
    expect(verdict).toEqual({ outcome: 'failed', nextAttemptAt: new Date(now.getTime() + 60_000) });
  });

  it('dead-letters once the schedule has run out', () => {
    // given the fourth attempt of a three-delay schedule failing
    const verdict = decideVerdict(input(failure(500), 4), settings);
    // then nothing follows
    expect(verdict).toEqual({ outcome: 'dead_lettered', reason: 'schedule_exhausted' });
  });

  it('dead-letters on 410 Gone at once', () => {
    expect(decideVerdict(input(failure(410)), settings)).toEqual({
      outcome: 'dead_lettered',
      reason: 'gone',
    });
  });

  it('waits at least as long as Retry-After asks, up to the bound', () => {
    // given answers asking for 10 minutes, for 2 days, and for less than the schedule's delay
    const asked = decideVerdict(input(failure(429, '600')), settings);
    const tooLong = decideVerdict(input(failure(503, '172800')), settings);
    const shorter = decideVerdict(input(failure(503, '1')), settings);

    // then the first waits 10 minutes, the second the bound, the third the schedule's 5 s
    expect(asked).toEqual({ outcome: 'failed', nextAttemptAt: new Date(now.getTime() + 600_000) });
    expect(tooLong).toEqual({
      outcome: 'failed',
      nextAttemptAt: new Date(now.getTime() + 3_600_000),
    });
    expect(shorter).toEqual({ outcome: 'failed', nextAttemptAt: new Date(now.getTime() + 5_000) });
  });
});
