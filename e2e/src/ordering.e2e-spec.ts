import { randomUUID } from 'node:crypto';
import { eventually, type ReceivedRequest, TestReceiver } from '@switchboard/testing';
import { metaChangeBody } from '@switchboard/fixtures';
import { Client } from 'pg';
import { adminCall } from './admin-client';
import { type MetaBusiness, postMeta } from './meta-business';
import { allServices, useStack } from './stack';

const APP_SECRET = 'e2e-ordering-app-secret';
const PHONE_NUMBER_ID = '106540352242922';

interface StatusEvent {
  id: string;
  subject: string;
  time: string;
  data: { messageId: string; status: string };
}

/** The first attempt of every `delivered` status is refused (so ordering is exercised through a retry). */
function refusedOnPurpose(request: ReceivedRequest): boolean {
  const event = JSON.parse(request.body) as StatusEvent;
  return event.data?.status === 'delivered' && request.headers['x-switchboard-attempt'] === '1';
}

/**
 * A statuses endpoint that answers 503 to what `refusedOnPurpose` picks and 200 to the rest, and
 * lists what it accepted, in order.
 */
async function startStatusEndpoint(): Promise<{
  url: string;
  accepted: StatusEvent[];
  close(): Promise<void>;
}> {
  const receiver = await new TestReceiver().start();
  for (const path of ['hooks/statuses', 'hooks/messages']) {
    receiver.respond(path, (request) =>
      refusedOnPurpose(request) ? { status: 503 } : { status: 200, body: 'ok' },
    );
  }
  return {
    url: receiver.url('hooks/statuses'),
    get accepted() {
      return receiver.requests
        .filter((r) => !refusedOnPurpose(r))
        .map((r) => JSON.parse(r.body) as StatusEvent);
    },
    close: () => receiver.stop(),
  };
}

/** Posts one signed Meta webhook carrying the given statuses, as Meta batches them. */
async function postStatuses(
  webhookUrl: string,
  statuses: { wamid: string; status: string; at: number; recipient: string }[],
): Promise<number> {
  const body = Buffer.from(
    metaChangeBody({
      statuses: statuses.map((s) => ({
        id: s.wamid,
        status: s.status,
        timestamp: String(s.at),
        recipient_id: s.recipient,
      })),
    }),
  );
  return postMeta(webhookUrl, APP_SECRET, body);
}

describe('Ordered delivery and status monotonicity end to end: Meta statuses → subscriber', () => {
  const stack = useStack('ordering');
  let endpoint: Awaited<ReturnType<typeof startStatusEndpoint>>;
  let business: MetaBusiness;

  beforeAll(async () => {
    endpoint = await startStatusEndpoint();
    await stack.start(allServices);
    business = await stack.createMetaBusiness({
      name: 'Ordered Shoes',
      appSecret: APP_SECRET,
      address: endpoint.url.replace('/statuses', '/messages'),
    });
  });

  afterAll(async () => {
    await endpoint?.close();
  });

  function admin<T>(method: string, path: string, body?: unknown) {
    return adminCall<T>(stack.service('subscriptions').url, method, path, business.key, body);
  }

  /**
   * Statuses of one message as Meta may send them: read and delivered in one webhook (read
   * first), then, once read has reached the subscriber, a late sent.
   */
  async function postScenario(recipient: string): Promise<string> {
    const wamid = `wamid.e2e-${randomUUID()}`;
    const t = Math.floor(Date.now() / 1000) - 60;
    await eventually(
      async () =>
        (await postStatuses(business.source.webhookUrl, [
          { wamid, status: 'read', at: t + 3, recipient },
          { wamid, status: 'delivered', at: t + 2, recipient },
        ])) === 200
          ? true
          : undefined,
      { what: 'ingress to take the statuses' },
    );
    await eventually(
      () =>
        endpoint.accepted.some((e) => e.data.messageId === wamid && e.data.status === 'read')
          ? true
          : undefined,
      { timeoutMs: 30_000, what: 'read at the subscriber' },
    );
    expect(
      await postStatuses(business.source.webhookUrl, [
        { wamid, status: 'sent', at: t + 1, recipient },
      ]),
    ).toBe(200);
    return wamid;
  }

  it('with both switches off, sends every status, read before a retried delivered, a late sent too', async () => {
    // given a statuses subscription with neither switch (retries 1 s apart)
    const created = await admin<{ configuration: Record<string, unknown> }>(
      'POST',
      `${business.base}/webhooks`,
      {
        topic: 'delivery_status',
        address: endpoint.url,
        configuration: { retry: { schedule: [1, 1, 1] } },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.configuration).toMatchObject({ ordering: 'none', statusMonotonic: false });
    await untilApplied({ ordered: false });

    // when Meta posts read and delivered of one message, delivered's first attempt fails, and a
    // late sent follows
    const wamid = await postScenario('16505550101');

    // then all three arrive, none suppressed, out of event-time order: read first (delivered's
    // first attempt failed), the retried delivered and the late sent after it
    const mine = await eventually(
      () => {
        const got = endpoint.accepted.filter((e) => e.data.messageId === wamid);
        return got.length === 3 ? got : undefined;
      },
      { timeoutMs: 30_000, what: 'all three statuses at the subscriber' },
    );
    expect(mine.map((e) => e.data.status).sort()).toEqual(['delivered', 'read', 'sent']);
    expect(mine[0]!.data.status).toBe('read');
  });

  it('with ordering and monotonicity on, sends the statuses in event-time order through a retry and suppresses the late one, logged with its reason', async () => {
    // given the statuses subscription switched to ordered, statuses monotonic, over the admin API
    const patched = await admin<{ configuration: Record<string, unknown> }>(
      'PATCH',
      `${business.base}/webhooks/delivery_status`,
      {
        configuration: {
          retry: { schedule: [1, 1, 1] },
          ordering: 'conversation',
          statusMonotonic: true,
        },
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.configuration).toMatchObject({
      ordering: 'conversation',
      statusMonotonic: true,
    });
    await untilApplied({ ordered: true });

    // when Meta posts read and delivered of one message (read first), delivered's first attempt
    // fails, and a late sent follows
    const wamid = await postScenario('16505550102');

    // then the subscriber accepts delivered (retried) before read, and never the late sent
    const mine = await eventually(
      () => {
        const got = endpoint.accepted.filter((e) => e.data.messageId === wamid);
        return got.length >= 2 ? got : undefined;
      },
      { timeoutMs: 30_000, what: 'two statuses at the subscriber' },
    );
    expect(mine.map((e) => e.data.status)).toEqual(['delivered', 'read']);
    // and the delivery log lists the late one as suppressed, with the reason
    const suppressed = await eventually(
      async () => {
        const list = await admin<{ items: { eventId: string; outcome: string; error: string }[] }>(
          'GET',
          `${business.base}/deliveries?topic=delivery_status&outcome=suppressed`,
        );
        const found = list.body.items.filter((d) => d.error.includes(wamid));
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 30_000, what: 'the suppressed status in the delivery log' },
    );
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.error).toBe(
      `Suppressed: status sent of ${wamid} is earlier than read, already delivered (statusMonotonic)`,
    );
    expect(endpoint.accepted.filter((e) => e.data.messageId === wamid)).toHaveLength(2);
  });

  /**
   * Waits until delivery has applied the subscription's latest record from the config topic: it
   * posts probes, `read` of a new message each, until one reaches the subscriber (and, when
   * ordered, delivery stored it with its conversation and message id). A probe posted before the
   * record arrived is not delivered to a new subscription, so each probe waits briefly.
   */
  async function untilApplied({ ordered }: { ordered: boolean }): Promise<void> {
    await eventually(
      async () => {
        const wamid = `wamid.e2e-probe-${randomUUID()}`;
        const at = Math.floor(Date.now() / 1000) - 60;
        const status = await postStatuses(business.source.webhookUrl, [
          { wamid, status: 'read', at, recipient: '16505550199' },
        ]);
        if (status !== 200) return undefined;
        await eventually(
          () => (endpoint.accepted.some((e) => e.data.messageId === wamid) ? true : undefined),
          { timeoutMs: 8_000, what: 'the probe status' },
        );
        // (a new subscription is applied once its first probe arrives; an ordered, monotonic one
        // once delivery stores its probe with the conversation and message id)
        if (!ordered) return true;
        const db = new Client({ connectionString: stack.databaseUrl });
        await db.connect();
        try {
          const rows = await db.query(
            `SELECT 1 FROM delivery.deliveries WHERE message_id = $1 AND ordering_key = $2`,
            [wamid, `${PHONE_NUMBER_ID}:16505550199`],
          );
          return rows.rowCount === 1 ? true : undefined;
        } finally {
          await db.end();
        }
      },
      {
        timeoutMs: 90_000,
        intervalMs: 500,
        what: `delivery to apply the ${ordered ? 'ordered' : 'unordered'} subscription`,
      },
    );
  }
});
