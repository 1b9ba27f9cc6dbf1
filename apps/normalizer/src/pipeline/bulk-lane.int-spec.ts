import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { metaChangeBody, metaStatuses } from '@switchboard/fixtures';
import { eventually } from '@switchboard/testing';
import { NormalizerTestBed } from '../../test/normalizer-app';

/** A Meta webhook of `count` `delivered` statuses, each of its own message (one event each). */
const statusBatch = (count: number, seed: string): string =>
  metaChangeBody({ statuses: metaStatuses(count, seed) });

describe('bulk lane (real Kafka and PostgreSQL)', () => {
  const bed = new NormalizerTestBed();
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    await bed.setUp();
    app = await bed.startApp({ BULK_EVENTS_PER_SECOND: '100', BULK_EVENTS_PER_SECOND_BUSY: '10' });
    await app.init();
    await bed.follow();
  });

  afterAll(async () => {
    await app?.close();
    await bed.tearDown();
  });

  it('publishes a bulk webhook at its pace while a small webhook on the raw topic goes through at once', async () => {
    // given a bulk webhook of 600 statuses, paced at 100 events a second (about six seconds)
    const bulkEvents = () =>
      bed.published.filter((p) => JSON.stringify(p.value.data).includes('wamid.bulk-'));
    const started = Date.now();
    const [bulk] = await bed.sendBulkRaw({ provider: 'meta', body: statusBatch(600, 'bulk') });
    await eventually(() => (bulkEvents().length > 0 ? true : undefined), {
      what: 'the first bulk events published',
      timeoutMs: 30_000,
    });

    // when a one-status webhook of another source comes on the raw topic
    const [small] = await bed.sendRaw({
      provider: 'meta',
      body: statusBatch(1, 'small'),
      sourceId: 'src_other',
    });

    // then its event is published while the bulk webhook's are still going out
    await eventually(
      () =>
        bed.published.some((p) => JSON.stringify(p.value).includes('wamid.small-0'))
          ? true
          : undefined,
      { what: 'the small webhook published', timeoutMs: 30_000 },
    );
    const bulkBeforeSmall = bulkEvents().length;
    expect(bulkBeforeSmall).toBeLessThan(600);

    // and every bulk event is published in the end, once, no sooner than the pace allows
    await eventually(() => (bulkEvents().length >= 600 ? true : undefined), {
      what: 'all 600 bulk events published',
      timeoutMs: 60_000,
    });
    expect(new Set(bulkEvents().map((p) => p.value.id)).size).toBe(600);
    expect(Date.now() - started).toBeGreaterThanOrEqual(((600 - 10) / 100) * 1000 * 0.9);
    // and both webhooks are in the audit log
    const raws = await bed.query<{ id: string }>('SELECT id FROM raw_webhooks ORDER BY id');
    expect(raws.map((r) => r.id).sort()).toEqual([bulk!.id, small!.id].sort());
  });

  it("slows to its busy pace while the raw topic's webhooks flow, and back once they stop", async () => {
    // given a second bulk webhook of 600 statuses going out at 100 events a second
    const bulkEvents = () =>
      bed.published.filter((p) => JSON.stringify(p.value.data).includes('wamid.yield-'));
    await bed.sendBulkRaw({ provider: 'meta', body: statusBatch(600, 'yield') });
    await eventually(() => (bulkEvents().length > 0 ? true : undefined), {
      what: 'the first bulk events published',
      timeoutMs: 30_000,
    });

    // when other webhooks come on the raw topic every 200 ms for three seconds
    const before = bulkEvents().length;
    for (let i = 0; i < 15; i++) {
      await bed.sendRaw({
        provider: 'meta',
        body: statusBatch(1, `flow${i}`),
        sourceId: 'src_other',
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const duringFlow = bulkEvents().length - before;

    // then the bulk lane published at about its busy pace (10/s: some 30 events, where the full
    // pace would have published some 300)
    expect(duringFlow).toBeLessThan(100);
    // and once they stop, it goes on at the full pace until every event is out
    await eventually(() => (bulkEvents().length >= 600 ? true : undefined), {
      what: 'all 600 bulk events published',
      timeoutMs: 60_000,
    });
    expect(new Set(bulkEvents().map((p) => p.value.id)).size).toBe(600);
  });
});
