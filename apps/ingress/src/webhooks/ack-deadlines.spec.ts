import { AckDeadlines, AckTimeoutError } from './ack-deadlines';

/** A promise settled from outside, like an acknowledgement still on its way. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets promise callbacks run. */
const flush = () =>
  new Promise<void>((resolve) => jest.requireActual('timers').setImmediate(resolve));

describe(AckDeadlines.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('settles as the acknowledgement does when it comes in time', async () => {
    // given two acknowledgements awaited with 1 s each
    const deadlines = new AckDeadlines(1_000);
    const ok = deferred();
    const failed = deferred();
    const both = Promise.allSettled([
      deadlines.within(ok.promise),
      deadlines.within(failed.promise),
    ]);

    // when one comes and the other fails, both before the time is up
    ok.resolve();
    failed.reject(new Error('not leader'));
    await flush();
    jest.advanceTimersByTime(2_000);

    // then each settles as its acknowledgement did, and nothing is left waiting
    const [first, second] = await both;
    expect(first).toEqual({ status: 'fulfilled', value: undefined });
    expect(second).toEqual({ status: 'rejected', reason: new Error('not leader') });
    expect(deadlines.pending).toBe(0);
  });

  it('rejects once the time is up, each wait counted from its own start', async () => {
    // given a wait begun at 0 ms and one begun at 600 ms, 1 s each
    const deadlines = new AckDeadlines(1_000);
    const outcomes: string[] = [];
    const track = (name: string, p: Promise<void>) =>
      p.then(
        () => outcomes.push(`${name} ok`),
        (err: Error) =>
          outcomes.push(`${name} ${err instanceof AckTimeoutError ? 'timeout' : err.message}`),
      );
    void track('early', deadlines.within(deferred().promise));
    jest.advanceTimersByTime(600);
    void track('late', deadlines.within(deferred().promise));

    // when 1 s has passed since the first began
    jest.advanceTimersByTime(400);
    await flush();

    // then only the first has timed out
    expect(outcomes).toEqual(['early timeout']);

    // and the second times out 1 s after its own start
    jest.advanceTimersByTime(599);
    await flush();
    expect(outcomes).toEqual(['early timeout']);
    jest.advanceTimersByTime(1);
    await flush();
    expect(outcomes).toEqual(['early timeout', 'late timeout']);
    expect(deadlines.pending).toBe(0);
  });

  it('says how long Kafka had, and ignores an acknowledgement that comes too late', async () => {
    // given a wait that times out
    const deadlines = new AckDeadlines(250);
    const ack = deferred();
    const waiting = deadlines.within(ack.promise);
    jest.advanceTimersByTime(250);

    // when the acknowledgement comes afterwards
    ack.resolve();

    // then the wait stays timed out
    await expect(waiting).rejects.toThrow('Kafka did not acknowledge within 250 ms');
  });

  it('keeps timing out the right waits when acknowledgements come out of order', async () => {
    // given many waits begun one millisecond apart, every other one acknowledged
    const deadlines = new AckDeadlines(100);
    const results: Promise<string>[] = [];
    for (let i = 0; i < 3_000; i++) {
      const ack = deferred();
      results.push(
        deadlines.within(ack.promise).then(
          () => 'ok',
          () => 'timeout',
        ),
      );
      if (i % 2 === 0) ack.resolve();
      await flush();
      jest.advanceTimersByTime(1);
    }

    // when all their time is up
    jest.advanceTimersByTime(100);

    // then the acknowledged ones resolved and the others timed out
    const outcomes = await Promise.all(results);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1_500);
    expect(outcomes.filter((o, i) => (i % 2 === 0) !== (o === 'ok'))).toEqual([]);
    expect(deadlines.pending).toBe(0);
  });
});
