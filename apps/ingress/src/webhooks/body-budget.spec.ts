import { BodyBudget, smallBodyBytes } from './body-budget';

const MiB = 1024 * 1024;

describe(BodyBudget.name, () => {
  it('lets bodies in while they fit and refuses the one that does not, taking nothing for it', () => {
    // given a budget of 8 MiB
    const budget = new BodyBudget(8 * MiB);

    // when small bodies take all of it
    const taken = Array.from({ length: 128 }, () => budget.tryTake(smallBodyBytes));

    // then all fit, and the next one does not
    expect(taken.every(Boolean)).toBe(true);
    expect(budget.inUse).toBe(8 * MiB);
    expect(budget.tryTake(1)).toBe(false);
    expect(budget.inUse).toBe(8 * MiB);
  });

  it('keeps the last quarter for small bodies when large ones crowd in', () => {
    // given a budget of 16 MiB
    const budget = new BodyBudget(16 * MiB);

    // when 4 MiB uploads keep coming
    const large = Array.from({ length: 10 }, () => budget.tryTake(4 * MiB));

    // then three are let in (12 MiB), the rest refused, and small webhooks still fit
    expect(large.filter(Boolean)).toHaveLength(3);
    expect(budget.tryTake(2 * 1024)).toBe(true);
    expect(budget.tryTake(smallBodyBytes)).toBe(true);
    expect(budget.tryTake(smallBodyBytes + 1)).toBe(false);
  });

  it('takes bodies in again once answered ones give their bytes back', () => {
    // given a budget filled by large bodies
    const budget = new BodyBudget(16 * MiB);
    for (let i = 0; i < 3; i++) budget.tryTake(4 * MiB);
    expect(budget.tryTake(4 * MiB)).toBe(false);

    // when one of them is answered
    budget.give(4 * MiB);

    // then another fits
    expect(budget.tryTake(4 * MiB)).toBe(true);
    expect(budget.inUse).toBe(12 * MiB);
  });
});
