import { type OutcomeStore, type OutcomeToStore, OutcomeWriter } from './outcome-writer';

function outcome(deliveryId: string, previousAttempts = 0): OutcomeToStore {
  return {
    deliveryId,
    previousAttempts,
    state: 'succeeded',
    nextAttemptAt: null,
    attemptedAt: new Date('2026-03-10T00:00:00Z'),
    statusCode: 200,
    error: null,
  };
}

/** A store at the port: records each statement's batch; can be made to fail or to hold. */
class FakeStore implements OutcomeStore {
  readonly batches: string[][] = [];
  failWith: Error | null = null;
  /** Deliveries that had moved on: never stored. */
  readonly movedOn = new Set<string>();
  private held: (() => void) | null = null;
  hold = false;

  async recordAttempts(outcomes: readonly OutcomeToStore[]): Promise<Set<string>> {
    this.batches.push(outcomes.map((o) => o.deliveryId));
    if (this.hold) await new Promise<void>((resolve) => (this.held = resolve));
    if (this.failWith) throw this.failWith;
    return new Set(outcomes.map((o) => o.deliveryId).filter((id) => !this.movedOn.has(id)));
  }

  release(): void {
    this.hold = false;
    this.held?.();
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(OutcomeWriter.name, () => {
  it('stores outcomes that arrive within the interval with one statement', async () => {
    // given a writer with a 5 ms interval
    const store = new FakeStore();
    const writer = new OutcomeWriter(store, { flushIntervalMs: 5, maxBatch: 100 });

    // when three attempts end at nearly the same time
    const stored = await Promise.all(['a', 'b', 'c'].map((id) => writer.record(outcome(id))));

    // then one statement stored all three, and each caller learns it was stored
    expect(store.batches).toEqual([['a', 'b', 'c']]);
    expect(stored).toEqual([true, true, true]);
  });

  it('writes a full batch at once, without waiting for the interval', async () => {
    // given a writer whose interval is far away
    const store = new FakeStore();
    const writer = new OutcomeWriter(store, { flushIntervalMs: 60_000, maxBatch: 2 });

    // when a batch fills up
    const both = Promise.all([writer.record(outcome('a')), writer.record(outcome('b'))]);

    // then it is written now
    await expect(both).resolves.toEqual([true, true]);
    expect(store.batches).toEqual([['a', 'b']]);
  });

  it('keeps one write in flight; what arrives meanwhile is the next batch', async () => {
    // given a write that takes a while
    const store = new FakeStore();
    store.hold = true;
    const writer = new OutcomeWriter(store, { flushIntervalMs: 0, maxBatch: 100 });
    const first = writer.record(outcome('a'));
    while (store.batches.length === 0) await tick();

    // when two more outcomes arrive while it runs
    const later = [writer.record(outcome('b')), writer.record(outcome('c'))];
    await tick();
    expect(store.batches).toEqual([['a']]);
    store.release();

    // then they go together in the next write
    await expect(Promise.all([first, ...later])).resolves.toEqual([true, true, true]);
    expect(store.batches).toEqual([['a'], ['b', 'c']]);
  });

  it('tells a caller whose delivery had moved on that nothing was stored', async () => {
    // given a delivery on which another attempt was stored first
    const store = new FakeStore();
    store.movedOn.add('b');
    const writer = new OutcomeWriter(store, { flushIntervalMs: 0, maxBatch: 100 });

    // when both outcomes are written
    const results = await Promise.all([writer.record(outcome('a')), writer.record(outcome('b'))]);

    // then only the first counts as stored
    expect(results).toEqual([true, false]);
  });

  it('rejects every outcome of a failed write, and the next write goes on', async () => {
    // given a database that refuses one write
    const store = new FakeStore();
    store.failWith = new Error('connection refused');
    const writer = new OutcomeWriter(store, { flushIntervalMs: 0, maxBatch: 100 });

    // when two outcomes are in that write
    const failed = Promise.allSettled([writer.record(outcome('a')), writer.record(outcome('b'))]);

    // then both callers learn it (their deliveries stay pending and are attempted again)
    const settled = await failed;
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason).toMatchObject({
      message: 'connection refused',
    });

    // and once the database is back, the next outcome is stored
    store.failWith = null;
    await expect(writer.record(outcome('c'))).resolves.toBe(true);
  });

  it('flush writes what is waiting without waiting for the interval', async () => {
    // given an outcome waiting for a long interval
    const store = new FakeStore();
    const writer = new OutcomeWriter(store, { flushIntervalMs: 60_000, maxBatch: 100 });
    const stored = writer.record(outcome('a'));
    expect(writer.pending).toBe(1);

    // when the writer is flushed (shutdown)
    await writer.flush();

    // then it has been written
    await expect(stored).resolves.toBe(true);
    expect(writer.pending).toBe(0);
  });
});
