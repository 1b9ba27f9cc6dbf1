import { SubscriptionLanes } from '../sending/subscription-lanes';
import { BusinessQuotas } from './business-quotas';

describe(BusinessQuotas.name, () => {
  const quotasOf = (maxInFlight: number) =>
    new BusinessQuotas(new SubscriptionLanes({ concurrency: 2, queueLimit: 8 }), { maxInFlight });

  it("counts a business's places over all its subscriptions, apart from other businesses", () => {
    // given a quota of 4 places per business, lanes of 10
    const quotas = quotasOf(4);

    // when business A takes 2 places on each of two subscriptions
    const tickets = ['sub_a1', 'sub_a1', 'sub_a2', 'sub_a2'].map((s) =>
      quotas.tryAcquire('biz_a', s),
    );

    // then A has no place left on any subscription, B has its own, and the scheduler skips A
    expect(tickets.every((t) => t !== null)).toBe(true);
    expect(quotas.tryAcquire('biz_a', 'sub_a3')).toBeNull();
    expect(quotas.businessCapacity('biz_a')).toBe(0);
    expect(quotas.tryAcquire('biz_b', 'sub_b1')).not.toBeNull();
    expect(quotas.saturatedBusinesses()).toEqual(['biz_a']);
    expect(quotas.laneCapacity('sub_a1')).toBe(8);
  });

  it('gives places back when attempts end or tickets are cancelled, and says so at half', async () => {
    // given a business at its quota of 4, with attempts held open
    const quotas = quotasOf(4);
    const freed: number[] = [];
    quotas.onFreed(() => freed.push(quotas.loadOf('biz_a')));
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const tickets = [1, 2, 3, 4].map(() => quotas.tryAcquire('biz_a', 'sub_a1')!);
    const running = tickets.slice(0, 3).map((t) => t.run(() => held));

    // when one ticket is cancelled, nothing is told yet (3 places held, more than half)
    tickets[3]!.cancel();
    expect(quotas.loadOf('biz_a')).toBe(3);
    expect(freed).toEqual([]);

    // and when the attempts end
    finish();
    await Promise.all(running);

    // then every place is back, and the scheduler was told once the business drained to half
    expect(quotas.loadOf('biz_a')).toBe(0);
    expect(quotas.saturatedBusinesses()).toEqual([]);
    expect(freed).toEqual([2]);
  });
});
