import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CloudEvent, SubscriptionRecord } from '@switchboard/contracts';
import { eventually, type ReceivedRequest, TestReceiver, uniqueName } from '@switchboard/testing';
import { cloudEvent, subscriptionRecord } from '../../test/builders';
import { DeliveryTestBed } from '../../test/delivery-test-bed';

/** How long the flooding business's endpoint takes to answer. */
const SLOW_MS = 1_500;
const QUOTA = 6;

describe('fair delivery between businesses (real Kafka and PostgreSQL)', () => {
  const bed = new DeliveryTestBed();
  const receiver = new TestReceiver();
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    await bed.setUp();
    await receiver.start();
  });

  afterAll(async () => {
    await app?.close();
    await receiver.stop();
    await bed.tearDown();
  });

  function subscription(businessId: string, topic: SubscriptionRecord['topic']) {
    const path = uniqueName('hook');
    return { ...subscriptionRecord({ businessId, topic, address: receiver.url(path) }), path };
  }

  const status = (businessId: string, contact: number): CloudEvent =>
    cloudEvent({
      businessid: businessId,
      topic: 'delivery_status',
      type: 'whatsapp.message.status_updated',
      subject: `106540352242922:${16505550000 + contact}`,
    });

  /** The most requests a set of paths had open at once, each open for `SLOW_MS` after arrival. */
  function mostOpenAtOnce(requests: readonly ReceivedRequest[]): number {
    const times = requests.map((r) => r.receivedAt).sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, from = 0; i < times.length; i++) {
      while (times[from]! <= times[i]! - SLOW_MS) from++;
      most = Math.max(most, i - from + 1);
    }
    return most;
  }

  it("delivers another business's events while a flood's backlog remains, the flood within its quota", async () => {
    // given business A with a slow endpoint on two subscriptions, and business B with a fast one
    const flooding = uniqueName('biz_flood');
    const quiet = uniqueName('biz_quiet');
    const aStatuses = subscription(flooding, 'delivery_status');
    const aMessages = subscription(flooding, 'messages');
    const bStatuses = subscription(quiet, 'delivery_status');
    for (const path of [aStatuses.path, aMessages.path]) {
      receiver.respond(path, () => ({ status: 200, delayMs: SLOW_MS }));
    }
    // (the service ran once, to create its topics and learn the subscriptions, then stopped)
    const settings = {
      BUSINESS_MAX_IN_FLIGHT: String(QUOTA),
      INSERT_BATCH_MAX: '500',
      INSERT_BUSINESS_SHARE: '50',
      CONSUMER_MAX_BYTES_PER_PARTITION: String(16 * 1_048_576),
    };
    const first = await bed.startApp(settings);
    await bed.applySubscriptions(first, aStatuses, aMessages, bStatuses);
    await first.close();

    // and, waiting in the topics, 3,000 statuses and 200 messages of A (one webhook's worth)
    // followed by 10 statuses of B, spread over the same partitions
    const flood = Array.from({ length: 3_000 }, (_, i) => status(flooding, i));
    const floodMessages = Array.from({ length: 200 }, () => cloudEvent({ businessid: flooding }));
    const few = Array.from({ length: 10 }, (_, i) => status(quiet, i));
    await bed.publishEvents(...flood, ...floodMessages);
    await bed.publishEvents(...few);

    // when the service starts and consumes them all in one fetch (lanes of 4 + 4 per
    // subscription, a quota of 6 places per business, INSERTs of 500 shared 50 per business)
    app = await bed.startApp(settings);

    // then B's 10 are delivered while A's backlog is still thousands of deliveries: of A's 3,200
    // fewer than 700 have reached its endpoint (however many of the rest are stored by then)
    await receiver.waitFor(bStatuses.path, few.length, 60_000);
    const floodDelivered =
      receiver.received(aStatuses.path).length + receiver.received(aMessages.path).length;
    expect(flood.length + floodMessages.length - floodDelivered).toBeGreaterThan(2_500);

    // and B's deliveries were stored before A's flood was: beside it, not behind it
    const stored = await eventually(
      async () => {
        const rows = await bed.query<{ business_id: string; n: number; last: Date }>(
          `SELECT business_id, count(*)::int AS n, max(created_at) AS last
           FROM delivery.deliveries WHERE business_id = ANY($1) GROUP BY business_id`,
          [[flooding, quiet]],
        );
        const a = rows.find((r) => r.business_id === flooding);
        return a && a.n === flood.length + floodMessages.length ? rows : undefined;
      },
      { timeoutMs: 30_000, what: "all of A's deliveries stored" },
    );
    const lastOf = (id: string) => stored.find((r) => r.business_id === id)!.last.getTime();
    expect(lastOf(quiet)).toBeLessThan(lastOf(flooding));

    // and A's two subscriptions together never had more requests open than its quota (which of
    // the two gets the places first depends on which partitions' batches come first)
    const floodRequests = await eventually(
      () => {
        const requests = [
          ...receiver.received(aStatuses.path),
          ...receiver.received(aMessages.path),
        ];
        return requests.length >= 12 ? requests : undefined;
      },
      { timeoutMs: 60_000, what: "12 requests on A's two endpoints" },
    );
    expect(mostOpenAtOnce(floodRequests)).toBeLessThanOrEqual(QUOTA);
    expect(mostOpenAtOnce(floodRequests)).toBeGreaterThan(1);
  });
});
