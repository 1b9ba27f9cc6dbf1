import { ConsumerLag } from './consumer-lag';

describe('ConsumerLag', () => {
  it('keeps the latest lag per group and partition, sums a group, and forgets a stopped group', () => {
    // given two groups reporting batches on two partitions
    const lag = new ConsumerLag();
    lag.record('delivery', 'events', 0, 40);
    lag.record('delivery', 'events', 1, 2);
    lag.record('delivery', 'events', 0, 7);
    lag.record('normalizer', 'raw', 0, 5);

    // then each partition shows its latest figure, and the group's total is their sum
    expect(lag.entries()).toEqual(
      expect.arrayContaining([
        { group: 'delivery', topic: 'events', partition: 0, lag: 7 },
        { group: 'delivery', topic: 'events', partition: 1, lag: 2 },
      ]),
    );
    expect(lag.total('delivery')).toBe(9);

    // when the delivery group stops, only the normalizer still reports
    lag.forget('delivery');
    expect(lag.entries()).toEqual([{ group: 'normalizer', topic: 'raw', partition: 0, lag: 5 }]);
    expect(lag.total('delivery')).toBe(0);
  });

  it('never reports a negative or unreadable lag', () => {
    const lag = new ConsumerLag();
    lag.record('g', 't', 0, -1);
    lag.record('g', 't', 1, Number.NaN);
    expect(lag.entries()).toEqual([{ group: 'g', topic: 't', partition: 0, lag: 0 }]);
  });
});
