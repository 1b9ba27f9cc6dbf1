import { bulkPaceOf } from './bulk-webhook.consumer';
import { PACED_SLICE } from './normalize-batch.service';

describe('bulkPaceOf', () => {
  const config = { BULK_EVENTS_PER_SECOND: 200, BULK_EVENTS_PER_SECOND_BUSY: 25 };

  it('paces at the full rate while the raw topic is quiet, in slices of a tenth of a second', () => {
    const pace = bulkPaceOf(config, { busy: false });
    expect(pace.rate()).toBe(200);
    expect(pace.slice()).toBe(20);
    expect(pace.maxRate).toBe(200);
  });

  it("yields to the raw topic's webhooks while they flow: the busy rate, smaller slices", () => {
    const activity = { busy: true };
    const pace = bulkPaceOf(config, activity);
    expect(pace.rate()).toBe(25);
    expect(pace.slice()).toBe(3);
    // and it follows the activity as it changes
    activity.busy = false;
    expect(pace.rate()).toBe(200);
  });

  it('never goes faster when busy than when quiet, nor slices beyond PACED_SLICE or below one', () => {
    expect(
      bulkPaceOf(
        { BULK_EVENTS_PER_SECOND: 10, BULK_EVENTS_PER_SECOND_BUSY: 500 },
        { busy: true },
      ).rate(),
    ).toBe(10);
    expect(
      bulkPaceOf(
        { BULK_EVENTS_PER_SECOND: 5_000, BULK_EVENTS_PER_SECOND_BUSY: 1 },
        { busy: false },
      ).slice(),
    ).toBe(PACED_SLICE);
    expect(
      bulkPaceOf(
        { BULK_EVENTS_PER_SECOND: 5_000, BULK_EVENTS_PER_SECOND_BUSY: 1 },
        { busy: true },
      ).slice(),
    ).toBe(1);
  });
});
