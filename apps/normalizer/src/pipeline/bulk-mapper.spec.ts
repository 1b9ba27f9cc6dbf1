import { metaChangeBody, metaStatuses } from '@switchboard/fixtures';
import { envelopeOf } from '../../test/mapping';
import { BulkMapper } from './bulk-mapper';
import { normalizeEnvelope } from './normalize-envelope';

/** A Meta webhook of `count` `read` statuses, each of another contact. */
const statuses = (count: number): string =>
  metaChangeBody({ statuses: metaStatuses(count, 'worker', { status: 'read' }) });

describe(BulkMapper.name, () => {
  const mapper = new BulkMapper();
  afterAll(() => mapper.close());

  it('maps a webhook in a worker thread to exactly what mapping in line gives', async () => {
    // given a Meta webhook of 300 statuses, one of them malformed
    const body = statuses(300).replace('"status":"read"', '"status":42');
    const envelope = envelopeOf('meta', body, { id: '0b8e3f4c-6d2a-4e1b-9c7d-5a3f2e1d0c9b' });
    const failedAt = '2026-12-03T10:00:00.000Z';

    // when it is mapped by the worker, and in line
    const inWorker = await mapper.map(envelope, 5_000, failedAt);
    const inLine = normalizeEnvelope(envelope, 5_000, failedAt);

    // then both give the same events, dead letters and audit row
    expect(inWorker.events).toHaveLength(299);
    expect(inWorker.deadLetters).toHaveLength(1);
    expect(inWorker).toEqual(inLine);
  });

  it('maps off this event loop: timers here keep firing while 5,000 statuses are mapped', async () => {
    // given a timer ticking on this thread
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    const envelope = envelopeOf('meta', statuses(5_000), {
      id: 'c7a1e5d2-3b4f-4a6e-8d9c-1e2f3a4b5c6d',
    });

    // when a webhook of 5,000 statuses is mapped (mapping in line would block this thread)
    const mapped = await mapper.map(envelope, 5_000, new Date().toISOString());
    clearInterval(timer);

    // then every event came back, and the timer fired meanwhile
    expect(mapped.events).toHaveLength(5_000);
    expect(ticks).toBeGreaterThan(0);
  });
});
