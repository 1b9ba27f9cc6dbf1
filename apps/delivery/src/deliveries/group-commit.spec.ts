import { GroupCommit } from './group-commit';

/** A store at the port: records each statement's items; stores every key but the refused ones. */
function store(refused: readonly string[] = []) {
  const statements: string[][] = [];
  const write = async (items: readonly string[]) => {
    statements.push([...items]);
    return new Set(items.filter((i) => !refused.includes(i)));
  };
  return { statements, write };
}

describe(GroupCommit.name, () => {
  it('writes what several callers hand in during the same turn with one statement', async () => {
    // given a group commit with no wait beyond the current turn
    const { statements, write } = store(['b2']);
    const commit = new GroupCommit(write, (k: string) => k, { flushIntervalMs: 0, maxBatch: 100 });

    // when two callers (two partitions' batches) hand in their items at once
    const [a, b] = await Promise.all([commit.add(['a1', 'a2']), commit.add(['b1', 'b2'])]);

    // then one statement stored all, and each caller learns only about its own items
    expect(statements).toEqual([['a1', 'a2', 'b1', 'b2']]);
    expect([...a]).toEqual(['a1', 'a2']);
    expect([...b]).toEqual(['b1']);
  });

  it('keeps each statement within maxBatch, first come first served without tenants', async () => {
    // given a batch limit of 3
    const { statements, write } = store();
    const commit = new GroupCommit(write, (k: string) => k, { flushIntervalMs: 0, maxBatch: 3 });

    // when callers hand in 2, 2 and 1 items together
    const results = await Promise.all([
      commit.add(['a', 'b']),
      commit.add(['c', 'd']),
      commit.add(['e']),
    ]);

    // then statements hold at most 3 items, in order, and each caller hears once all its are in
    expect(statements).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    expect(results.map((r) => [...r])).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it("writes another tenant's few items in the first statement, not after a flood", async () => {
    // given tenants by prefix, statements of 1,000 items and a share of 100 per tenant and turn
    const { statements, write } = store();
    const commit = new GroupCommit(
      write,
      (k: string) => k,
      { flushIntervalMs: 0, maxBatch: 1_000 },
      { tenantOf: (k) => k.split('-')[0]!, share: 100 },
    );

    // when tenant A hands in 5,000 items and then tenant B 10, in the same turn
    const flood = Array.from({ length: 5_000 }, (_, i) => `A-${i}`);
    const few = Array.from({ length: 10 }, (_, i) => `B-${i}`);
    const order: string[] = [];
    const a = commit.add(flood).then((stored) => (order.push('A'), stored));
    const b = commit.add(few).then((stored) => (order.push('B'), stored));
    const [storedA, storedB] = await Promise.all([a, b]);

    // then B's are all in the first statement, B hears first, and A fills the rest in order
    expect(statements[0]!.filter((k) => k.startsWith('B-'))).toEqual(few);
    expect(statements[0]).toHaveLength(1_000);
    expect(statements).toHaveLength(6);
    expect(statements.flat().filter((k) => k.startsWith('A-'))).toEqual(flood);
    expect(order).toEqual(['B', 'A']);
    expect(storedA.size).toBe(5_000);
    expect(storedB.size).toBe(10);
  });

  it('serves waiting tenants in turn, a share each, and lets a tenant alone fill a statement', async () => {
    const { statements, write } = store();
    const commit = new GroupCommit(
      write,
      (k: string) => k,
      { flushIntervalMs: 0, maxBatch: 4 },
      { tenantOf: (k) => k[0]!, share: 1 },
    );

    await Promise.all([commit.add(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']), commit.add(['b1', 'b2'])]);

    expect(statements).toEqual([
      ['a1', 'b1', 'a2', 'b2'],
      ['a3', 'a4', 'a5', 'a6'],
    ]);
  });

  it('drops what a failed caller still has queued, and others go on', async () => {
    // given a store that fails its first statement only
    const statements: string[][] = [];
    let calls = 0;
    const commit = new GroupCommit(
      async (items: readonly string[]) => {
        statements.push([...items]);
        if (++calls === 1) throw new Error('database unavailable');
        return new Set(items);
      },
      (k: string) => k,
      { flushIntervalMs: 0, maxBatch: 2 },
      { tenantOf: (k) => k[0]!, share: 1 },
    );

    // when A's 3 items and B's 1 are handed in together
    const [a, b] = await Promise.allSettled([commit.add(['a1', 'a2', 'a3']), commit.add(['b1'])]);

    // then both callers of the failed statement hear it, and A's rest is not written after all
    expect([a.status, b.status]).toEqual(['rejected', 'rejected']);
    expect(statements).toEqual([['a1', 'b1']]);
    expect(commit.pending).toBe(0);
  });

  it('rejects every caller of a failed statement and resolves an empty hand-in at once', async () => {
    // given a store that fails
    const commit = new GroupCommit(
      async () => {
        throw new Error('database unavailable');
      },
      (k: string) => k,
      { flushIntervalMs: 0, maxBatch: 10 },
    );

    // then both callers of the statement learn it, and nothing handed in costs no statement
    const results = await Promise.allSettled([commit.add(['a']), commit.add(['b'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(commit.add([])).resolves.toEqual(new Set());
  });
});
