import {
  ensureBuilt,
  eventually,
  freePort,
  ServiceProcess,
  TestReceiver,
  uniqueName,
} from '@switchboard/testing';
import { cloudEvent, subscriptionRecord } from '../../test/builders';
import { DeliveryTestBed } from '../../test/delivery-test-bed';

describe('durable retries across a SIGKILL (the built service as a process)', () => {
  const bed = new DeliveryTestBed();
  const receiver = new TestReceiver();
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    ensureBuilt('delivery');
    await bed.setUp();
    await receiver.start();
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await receiver.stop();
    await bed.tearDown();
  });

  async function startService(): Promise<ServiceProcess> {
    const service = new ServiceProcess(
      'delivery',
      await freePort(),
      bed.environment({ LOG_LEVEL: 'warn' }),
    );
    processes.push(service);
    service.start();
    await service.waitReady();
    return service;
  }

  it('loses no pending retry when the service is killed', async () => {
    // given the service running, and an endpoint failing every event's first attempt
    const first = await startService();
    await bed.follow();
    const path = uniqueName('hook');
    const sub = subscriptionRecord({
      businessId: uniqueName('biz'),
      address: receiver.url(path),
      // retries 3 s after the first attempt (the bed scales delays by 0.1)
      configuration: { retry: { schedule: [30, 30] } },
    });
    receiver.respond(path, (request) => {
      const attempt = request.headers['x-switchboard-attempt'];
      return attempt === '1' ? { status: 503 } : { status: 200 };
    });
    await bed.publishSubscriptions(sub);

    // when events are published and their first attempts have failed
    const events = Array.from({ length: 10 }, () => cloudEvent({ businessid: sub.businessId }));
    await eventually(
      async () => {
        await bed.publishEvents(events[0]!);
        return receiver.received(path).length > 0 ? true : undefined;
      },
      { what: 'the subscription applied', intervalMs: 1_000 },
    );
    await bed.publishEvents(...events.slice(1));
    await receiver.waitFor(path, events.length);
    await eventually(
      async () => {
        const rows = await bed.deliveries(sub.id);
        return rows.length === events.length && rows.every((r) => r.attempts === 1)
          ? rows
          : undefined;
      },
      { what: 'every first attempt recorded' },
    );

    // and the service is killed with every retry pending
    await first.stop('SIGKILL');
    const pending = await bed.deliveries(sub.id);
    expect(pending.every((r) => r.state === 'pending')).toBe(true);
    expect(
      receiver.received(path).filter((r) => r.headers['x-switchboard-attempt'] !== '1'),
    ).toEqual([]);

    // then, once it runs again, every retry arrives and succeeds
    await startService();
    await eventually(
      () => {
        const retried = new Set(
          receiver
            .received(path)
            .filter((r) => r.headers['x-switchboard-attempt'] === '2')
            .map((r) => (JSON.parse(r.body) as { id: string }).id),
        );
        return retried.size === events.length ? retried : undefined;
      },
      { timeoutMs: 60_000, what: 'every retry delivered after the restart' },
    );
    await eventually(
      async () => {
        const rows = await bed.deliveries(sub.id);
        return rows.every((r) => r.state === 'succeeded') ? true : undefined;
      },
      { what: 'every delivery succeeded' },
    );
  });
});
