import {
  type EndpointHealth,
  HEALTHY,
  type HealthObservation,
  type HealthPolicy,
  observeHealth,
} from './endpoint-health';

const policy: HealthPolicy = { failingAfter: 3, disableAfterMs: 5 * 86_400_000 };
const t0 = new Date('2026-03-10T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const failure = (error = 'HTTP 503'): HealthObservation => ({
  kind: 'failure',
  error,
  gone: false,
});

function run(observations: [HealthObservation, Date][], version = 1, start = HEALTHY) {
  let health: EndpointHealth = start;
  const announced: string[] = [];
  for (const [observation, now] of observations) {
    const change = observeHealth(health, observation, version, policy, now);
    health = change.next;
    announced.push(...change.announcements.map((a) => a.type));
  }
  return { health, announced };
}

describe('observeHealth', () => {
  it('marks an endpoint failing after N consecutive failures, once', () => {
    const { health, announced } = run([
      [failure(), at(0)],
      [failure(), at(1_000)],
      [failure(), at(2_000)],
      [failure(), at(3_000)],
    ]);
    expect(health).toMatchObject({ state: 'failing', consecutiveFailures: 4, firstFailureAt: t0 });
    expect(announced).toEqual(['subscription.failing']);
  });

  it('recovers a failing endpoint on success and resets the count', () => {
    const { health, announced } = run([
      [failure(), at(0)],
      [failure(), at(1)],
      [failure(), at(2)],
      [{ kind: 'success' }, at(3)],
    ]);
    expect(health).toMatchObject({ state: 'active', consecutiveFailures: 0, firstFailureAt: null });
    expect(announced).toEqual(['subscription.failing', 'subscription.recovered']);
  });

  it('a success below the threshold resets quietly', () => {
    const change = observeHealth(
      { ...HEALTHY, consecutiveFailures: 2, firstFailureAt: t0 },
      { kind: 'success' },
      1,
      policy,
      at(10),
    );
    expect(change).toMatchObject({ changed: true, announcements: [] });
    expect(change.next.consecutiveFailures).toBe(0);
  });

  it('writes nothing for a success to a healthy endpoint', () => {
    expect(observeHealth(HEALTHY, { kind: 'success' }, 1, policy, t0).changed).toBe(false);
  });

  it('disables a failing endpoint after the configured time without success', () => {
    const fiveDays = 5 * 86_400_000;
    const { health, announced } = run([
      [failure(), at(0)],
      [failure(), at(1_000)],
      [failure(), at(2_000)],
      [failure(), at(fiveDays - 1)],
      [failure('timeout'), at(fiveDays)],
    ]);
    expect(health).toMatchObject({ state: 'disabled', disabledVersion: 1 });
    expect(announced).toEqual(['subscription.failing', 'subscription.disabled']);
  });

  it('disables at once on 410 Gone', () => {
    const change = observeHealth(
      HEALTHY,
      { kind: 'failure', error: 'HTTP 410', gone: true },
      7,
      policy,
      t0,
    );
    expect(change.next).toMatchObject({ state: 'disabled', disabledVersion: 7 });
    expect(change.announcements).toEqual([
      { type: 'subscription.disabled', reason: expect.stringContaining('410') },
    ]);
  });

  it('stays disabled for that version, and starts afresh on a newer one', () => {
    const disabled: EndpointHealth = { ...HEALTHY, state: 'disabled', disabledVersion: 7 };
    expect(observeHealth(disabled, { kind: 'success' }, 7, policy, t0)).toMatchObject({
      changed: false,
      announcements: [],
    });
    const reenabled = observeHealth(disabled, failure(), 8, policy, t0);
    expect(reenabled.next).toMatchObject({ state: 'active', consecutiveFailures: 1 });
    expect(reenabled.announcements).toEqual([]);
  });
});
