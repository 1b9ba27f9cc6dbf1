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

  it('never splits a caller across statements and keeps each statement within maxBatch', async () => {
    // given a batch limit of 3
    const { statements, write } = store();
    const commit = new GroupCommit(write, (k: string) => k, { flushIntervalMs: 0, maxBatch: 3 });

    // when callers hand in 2, 2 and 1 items together
    await Promise.all([commit.add(['a', 'b']), commit.add(['c', 'd']), commit.add(['e'])]);

    // then statements hold whole callers, at most 3 items each
    expect(statements).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
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
