/** How retries are spaced: the platform's settings, applied to each subscription's schedule. */
export interface RetrySettings {
  /** Delays in seconds for subscriptions that set none. */
  defaultSchedule: readonly number[];
  /** Multiplies every delay (tests shorten the schedule with it). */
  scale: number;
  /** Random spread of each delay: 0.2 is ±20 %. */
  jitter: number;
  /** The longest `Retry-After` honoured, in seconds. */
  retryAfterMaxSeconds: number;
}

/** What one attempt's result means for the delivery. */
export type AttemptVerdict =
  | { readonly outcome: 'succeeded' }
  | { readonly outcome: 'failed'; readonly nextAttemptAt: Date }
  | { readonly outcome: 'dead_lettered'; readonly reason: 'schedule_exhausted' | 'gone' };

/** The result of one attempt, as far as the retry decision is concerned. */
export interface AttemptResult {
  /** Null when no HTTP answer came. */
  statusCode: number | null;
  /** The `Retry-After` header of the answer, as sent. */
  retryAfter: string | null;
}

export function isSuccess(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}

/**
 * Parses `Retry-After`: delay-seconds or an HTTP date. Null when absent or unreadable; never
 * negative (a date in the past means now).
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP date (IMF-fixdate, or the obsolete RFC 850 and asctime forms Date.parse reads).
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** A delay with ±`jitter` spread: `random` in [0, 1) maps to [1 - jitter, 1 + jitter). */
export function withJitter(delayMs: number, jitter: number, random: number): number {
  return Math.max(0, Math.round(delayMs * (1 + jitter * (2 * random - 1))));
}

/**
 * The delay before retry number `retry` (1 = the first retry, after the first attempt), or null
 * when the schedule has no more retries.
 */
export function retryDelayMs(
  retry: number,
  schedule: readonly number[],
  settings: Pick<RetrySettings, 'scale' | 'jitter'>,
  random: number,
): number | null {
  const seconds = schedule[retry - 1];
  if (seconds === undefined) return null;
  return withJitter(seconds * 1000 * settings.scale, settings.jitter, random);
}

export interface VerdictInput {
  result: AttemptResult;
  /** How many attempts of the delivery's current schedule have been made, this one included. */
  attemptsInSchedule: number;
  /** The subscription's own schedule in seconds, when it sets one. */
  schedule: readonly number[] | undefined;
  now: Date;
  random: number;
}

/**
 * Decides what follows an attempt: 2xx succeeds; 410 Gone dead-letters (the subscription is being
 * disabled); any other failure is retried after the next delay of the schedule (with jitter, and
 * no sooner than a `Retry-After` the endpoint sent, up to the bound), and dead-lettered once the
 * schedule has run out.
 */
export function decideVerdict(input: VerdictInput, settings: RetrySettings): AttemptVerdict {
  const { result, now } = input;
  if (isSuccess(result.statusCode)) return { outcome: 'succeeded' };
  if (result.statusCode === 410) return { outcome: 'dead_lettered', reason: 'gone' };
  const schedule = input.schedule ?? settings.defaultSchedule;
  const delay = retryDelayMs(input.attemptsInSchedule, schedule, settings, input.random);
  if (delay === null) return { outcome: 'dead_lettered', reason: 'schedule_exhausted' };
  const retryAfter = parseRetryAfter(result.retryAfter, now);
  const asked =
    retryAfter === null ? 0 : Math.min(retryAfter, settings.retryAfterMaxSeconds) * 1000;
  return { outcome: 'failed', nextAttemptAt: new Date(now.getTime() + Math.max(delay, asked)) };
}
