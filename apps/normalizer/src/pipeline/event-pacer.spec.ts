import { EventPacer, LaneActivity, type PacerClock, PacingStoppedError } from './event-pacer';

/** A clock whose sleeps move time on at once, and that logs them. */
function fakeClock(): PacerClock & { t: number; slept: number[] } {
  const clock = {
    t: 0,
    slept: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

describe(EventPacer.name, () => {
  it('lets a tenth of a second of events through at once, then holds to the rate', async () => {
    // given 1,000 events a second
    const clock = fakeClock();
    const pacer = new EventPacer(1_000, clock);

    // when 100 events are taken (the burst), then 100 more, then 500
    await pacer.take(100);
    const afterBurst = clock.t;
    await pacer.take(100);
    const afterSecond = clock.t;
    await pacer.take(500);

    // then the burst went through at once, and the rest took 0.1 s and 0.5 s
    expect(afterBurst).toBe(0);
    expect(afterSecond).toBeCloseTo(100, 5);
    expect(clock.t).toBeCloseTo(600, 5);
  });

  it('averages the rate over many takes: 10,000 events at 2,000/s take five seconds', async () => {
    const clock = fakeClock();
    const pacer = new EventPacer(2_000, clock);
    for (let i = 0; i < 100; i++) await pacer.take(100);
    // The first 200 (the burst) cost nothing.
    expect(clock.t).toBeCloseTo(((10_000 - 200) / 2_000) * 1000, 5);
  });

  it('refills while idle, but never beyond the burst', async () => {
    const clock = fakeClock();
    const pacer = new EventPacer(1_000, clock);
    await pacer.take(100);
    clock.t += 60_000; // a minute idle
    await pacer.take(100);
    expect(clock.slept).toEqual([]);
    await pacer.take(100);
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 5);
  });

  it('waits in slices and gives up when told to stop', async () => {
    const clock = fakeClock();
    const pacer = new EventPacer(100, clock, 250);
    let running = true;
    const originalSleep = clock.sleep;
    clock.sleep = async (ms) => {
      await originalSleep(ms);
      if (clock.slept.length === 3) running = false;
    };
    // 1,010 events at 100/s would wait ten seconds; it stops after three slices.
    await expect(pacer.take(1_010, () => running)).rejects.toThrow(PacingStoppedError);
    expect(clock.slept).toEqual([250, 250, 250]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new EventPacer(0)).toThrow('eventsPerSecond must be positive');
  });

  it('follows a rate that changes: slow while busy, full again once quiet', async () => {
    // given 1,000 events a second when quiet, 100 while busy
    const clock = fakeClock();
    let busy = true;
    const pacer = new EventPacer(() => (busy ? 100 : 1_000), clock, 250, 1_000);

    // when 100 events (the burst) then 100 more are taken while busy
    await pacer.take(100);
    await pacer.take(100);
    const whileBusy = clock.t;
    // and 500 once quiet
    busy = false;
    await pacer.take(500);

    // then the busy 100 took a second at 100/s, the quiet 500 half a second at 1,000/s
    expect(whileBusy).toBeCloseTo(1_000, 5);
    expect(clock.t - whileBusy).toBeCloseTo(500, 5);
  });
});

describe(LaneActivity.name, () => {
  it('is busy for the window after each touch, and quiet before the first', () => {
    let t = 10_000;
    const activity = new LaneActivity(1_000, () => t);
    expect(activity.busy).toBe(false);
    activity.touch();
    t += 999;
    expect(activity.busy).toBe(true);
    t += 1;
    expect(activity.busy).toBe(false);
    activity.touch();
    expect(activity.busy).toBe(true);
  });
});
