import { SubscriptionLanes } from './subscription-lanes';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe(SubscriptionLanes.name, () => {
  it('runs at most `concurrency` attempts of one subscription at once and queues the rest', async () => {
    // given a lane of two slots and a queue of one
    const lanes = new SubscriptionLanes({ concurrency: 2, queueLimit: 1 });
    const gates = [deferred(), deferred(), deferred()];
    let running = 0;
    let most = 0;
    const task = (i: number) => async () => {
      running += 1;
      most = Math.max(most, running);
      await gates[i]!.promise;
      running -= 1;
    };

    // when three attempts are handed to it, and a fourth is asked for
    const runs = [0, 1, 2].map((i) => lanes.tryAcquire('sub_a')!.run(task(i)));
    const fourth = lanes.tryAcquire('sub_a');

    // then two run, one waits, and the fourth is refused
    await Promise.resolve();
    expect(running).toBe(2);
    expect(fourth).toBeNull();
    expect(lanes.saturatedSubscriptions()).toEqual(['sub_a']);
    expect({ running: lanes.running, queued: lanes.queued }).toEqual({ running: 2, queued: 1 });

    // when they finish, the waiting one runs and the lane empties
    gates.forEach((g) => g.resolve());
    await Promise.all(runs);
    expect(most).toBe(2);
    expect(lanes.capacity('sub_a')).toBe(3);
    expect(lanes.load).toBe(0);
    expect({ running: lanes.running, queued: lanes.queued }).toEqual({ running: 0, queued: 0 });
  });

  it("starts a subscription's attempts in the order they were handed over", async () => {
    // given a lane of one slot, busy, with five attempts queued behind it in partition order
    const lanes = new SubscriptionLanes({ concurrency: 1, queueLimit: 5 });
    const started: number[] = [];
    const first = deferred();
    const runs = [lanes.tryAcquire('sub_a')!.run(() => first.promise)];
    for (let i = 1; i <= 5; i++) {
      runs.push(
        lanes.tryAcquire('sub_a')!.run(async () => {
          started.push(i);
        }),
      );
    }

    // when the busy attempt finishes
    first.resolve();
    await Promise.all(runs);

    // then the queued ones started first in, first out
    expect(started).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps subscriptions apart: a full lane does not hold another', async () => {
    const lanes = new SubscriptionLanes({ concurrency: 1, queueLimit: 0 });
    const stuck = deferred();
    const slow = lanes.tryAcquire('slow')!.run(() => stuck.promise);
    expect(lanes.tryAcquire('slow')).toBeNull();
    await expect(lanes.tryAcquire('fast')!.run(async () => 'done')).resolves.toBe('done');
    stuck.resolve();
    await slow;
  });

  it('gives a place back on cancel and tells when a full lane has room again', async () => {
    const lanes = new SubscriptionLanes({ concurrency: 1, queueLimit: 0 });
    const freed: string[] = [];
    lanes.onFreed((id) => freed.push(id));
    const ticket = lanes.tryAcquire('sub_b')!;
    expect(lanes.saturated('sub_b')).toBe(true);
    ticket.cancel();
    expect(lanes.saturated('sub_b')).toBe(false);
    expect(freed).toEqual(['sub_b']);
  });

  it('tells once that a full lane has drained to half, not for every free slot', async () => {
    // given a lane of 4 places (2 running, 2 waiting), filled up
    const lanes = new SubscriptionLanes({ concurrency: 2, queueLimit: 2 });
    const freed: string[] = [];
    lanes.onFreed((id) => freed.push(id));
    const tickets = [1, 2, 3, 4].map(() => lanes.tryAcquire('sub_d')!);
    expect(lanes.saturated('sub_d')).toBe(true);

    // when places come back one by one
    tickets[0]!.cancel();
    expect(freed).toEqual([]); // 3 of 4 taken: not worth a scheduler round yet
    tickets[1]!.cancel();

    // then it tells once, at half
    expect(freed).toEqual(['sub_d']);
    tickets[2]!.cancel();
    tickets[3]!.cancel();
    expect(freed).toEqual(['sub_d']);
  });

  it('passes a failing attempt on and frees its slot', async () => {
    const lanes = new SubscriptionLanes({ concurrency: 1, queueLimit: 0 });
    await expect(
      lanes.tryAcquire('sub_c')!.run(() => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(lanes.capacity('sub_c')).toBe(1);
  });
});
