import { BodyBudget, smallBodyBytes } from './body-budget';

const MiB = 1024 * 1024;

describe(BodyBudget.name, () => {
  it('lets bodies in while they fit and refuses the one that does not, taking nothing for it', () => {
    // given a budget of 8 MiB
    const budget = new BodyBudget(8 * MiB);

    // when small bodies take all of it
    const taken = Array.from({ length: 128 }, () => budget.tryLease(smallBodyBytes));

    // then all fit, and the next one does not
    expect(taken.every(Boolean)).toBe(true);
    expect(budget.inUse).toBe(8 * MiB);
    expect(budget.tryLease(1)).toBeUndefined();
    expect(budget.inUse).toBe(8 * MiB);
  });

  it('keeps the last quarter for small bodies when large ones crowd in', () => {
    // given a budget of 16 MiB
    const budget = new BodyBudget(16 * MiB);

    // when 4 MiB uploads keep coming
    const large = Array.from({ length: 10 }, () => budget.tryLease(4 * MiB));

    // then three are let in (12 MiB), the rest refused, and small webhooks still fit
    expect(large.filter(Boolean)).toHaveLength(3);
    expect(budget.tryLease(2 * 1024)).toBeDefined();
    expect(budget.tryLease(smallBodyBytes)).toBeDefined();
    expect(budget.tryLease(smallBodyBytes + 1)).toBeUndefined();
  });

  it('takes bodies in again once answered ones give their bytes back', () => {
    // given a budget filled by large bodies
    const budget = new BodyBudget(16 * MiB);
    const leases = [1, 2, 3].map(() => budget.tryLease(4 * MiB)!);
    expect(budget.tryLease(4 * MiB)).toBeUndefined();

    // when one of them is answered
    leases[0]!.release();

    // then another fits
    expect(budget.tryLease(4 * MiB)).toBeDefined();
    expect(budget.inUse).toBe(12 * MiB);
  });

  it('keeps the bytes of a body still being written to Kafka after its connection is gone', () => {
    // given a webhook whose body is being written to Kafka
    const budget = new BodyBudget(16 * MiB);
    const lease = budget.tryLease(4 * MiB)!;
    lease.hold();

    // when its connection closes before Kafka has answered
    lease.release();

    // then its bytes are still taken, and given back once the write is settled
    expect(budget.inUse).toBe(4 * MiB);
    lease.release();
    expect(budget.inUse).toBe(0);
  });
});
