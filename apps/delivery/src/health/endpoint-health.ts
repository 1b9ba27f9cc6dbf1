import type { SubscriptionHealthEventType } from '@switchboard/contracts';

export type EndpointState = 'active' | 'failing' | 'disabled';

/** What delivery knows of one subscription endpoint's health. */
export interface EndpointHealth {
  readonly state: EndpointState;
  readonly consecutiveFailures: number;
  /** The first failure since the last success: the start of the time without success. */
  readonly firstFailureAt: Date | null;
  readonly lastFailureAt: Date | null;
  readonly lastSuccessAt: Date | null;
  readonly lastError: string | null;
  /** The subscription record version delivery disabled; a newer version lifts the disable. */
  readonly disabledVersion: number | null;
}

export const HEALTHY: EndpointHealth = Object.freeze({
  state: 'active',
  consecutiveFailures: 0,
  firstFailureAt: null,
  lastFailureAt: null,
  lastSuccessAt: null,
  lastError: null,
  disabledVersion: null,
});

/** One attempt's result as endpoint health sees it. */
export type HealthObservation =
  | { readonly kind: 'success' }
  | {
      readonly kind: 'failure';
      /** What went wrong, e.g. `HTTP 503` or `timeout: no answer within 10000 ms`. */
      readonly error: string;
      /** The endpoint answered 410 Gone: the subscriber asked for no more deliveries. */
      readonly gone: boolean;
    };

export interface HealthPolicy {
  /** Consecutive failures that make an endpoint failing. */
  failingAfter: number;
  /** How long a failing endpoint may go without a success before it is disabled. */
  disableAfterMs: number;
}

export interface Announcement {
  readonly type: SubscriptionHealthEventType;
  readonly reason: string;
}

export interface HealthChange {
  readonly next: EndpointHealth;
  /** False when nothing needs storing. */
  readonly changed: boolean;
  readonly announcements: readonly Announcement[];
}

function duration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size) {
      const n = Math.floor(ms / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}

/**
 * The endpoint health state machine. Failures count up; after `failingAfter` in a row the
 * endpoint is failing; a failing endpoint that has gone `disableAfterMs` without a success, or one
 * that answers 410 Gone, is disabled; a success resets the count and recovers a failing endpoint.
 * A disable holds for the record version it was made on: once the subscription has a newer
 * version (the business changed or re-enabled it), the endpoint starts afresh.
 */
export function observeHealth(
  current: EndpointHealth,
  observation: HealthObservation,
  subscriptionVersion: number,
  policy: HealthPolicy,
  now: Date,
): HealthChange {
  const disabled =
    current.state === 'disabled' &&
    current.disabledVersion !== null &&
    current.disabledVersion >= subscriptionVersion;
  if (disabled) return { next: current, changed: false, announcements: [] };
  const base: EndpointHealth =
    current.state === 'disabled' ? { ...HEALTHY, lastSuccessAt: current.lastSuccessAt } : current;

  if (observation.kind === 'success') {
    const next: EndpointHealth = {
      ...base,
      state: 'active',
      consecutiveFailures: 0,
      firstFailureAt: null,
      lastSuccessAt: now,
      disabledVersion: null,
    };
    const announcements: Announcement[] =
      base.state === 'failing'
        ? [
            {
              type: 'subscription.recovered',
              reason: `delivered again after ${base.consecutiveFailures} consecutive failure${base.consecutiveFailures === 1 ? '' : 's'}`,
            },
          ]
        : [];
    const changed = current.state !== 'active' || current.consecutiveFailures > 0;
    return { next, changed: changed || current !== base, announcements };
  }

  const failures = base.consecutiveFailures + 1;
  const firstFailureAt = base.firstFailureAt ?? now;
  let next: EndpointHealth = {
    ...base,
    consecutiveFailures: failures,
    firstFailureAt,
    lastFailureAt: now,
    lastError: observation.error,
  };
  const announcements: Announcement[] = [];
  if (observation.gone) {
    next = { ...next, state: 'disabled', disabledVersion: subscriptionVersion };
    announcements.push({
      type: 'subscription.disabled',
      reason: '410 Gone: the endpoint asked for no more deliveries',
    });
    return { next, changed: true, announcements };
  }
  if (next.state === 'active' && failures >= policy.failingAfter) {
    next = { ...next, state: 'failing' };
    announcements.push({
      type: 'subscription.failing',
      reason: `${failures} consecutive failures (last: ${observation.error})`,
    });
  }
  const withoutSuccess = now.getTime() - firstFailureAt.getTime();
  if (next.state === 'failing' && withoutSuccess >= policy.disableAfterMs) {
    next = { ...next, state: 'disabled', disabledVersion: subscriptionVersion };
    announcements.push({
      type: 'subscription.disabled',
      reason: `no successful delivery for ${duration(withoutSuccess)} (${failures} consecutive failures, last: ${observation.error})`,
    });
  }
  return { next, changed: true, announcements };
}
