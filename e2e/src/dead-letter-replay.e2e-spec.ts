import { readFixture } from '@switchboard/fixtures';
import { eventually, TestReceiver } from '@switchboard/testing';
import {
  type InboundDeadLetter,
  replayOutcome,
  theOneInboundDeadLetter,
} from './inbound-dead-letters';
import { hooksPath, startReceiver, useStack } from './stack';
import { deliveryKnows, metaSignature, postUntilTaken } from './meta-business';

/** The messages (received) of Meta's multi-entry batch fixture: three of its six updates. */
const batchMessageIds = [
  'wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIzMDAwMDAwMDAwMDAwMDAwMDEA',
  'wamid.HBgLMTYzMTU1NTEyMzQVAgASGBQzRUIzMDAwMDAwMDAwMDAwMDAwMDIA',
  'wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUM0VCMzAwMDAwMDAwMDAwMDAwMDMA',
];

describe('inbound dead letter replay end to end: dead-lettered, limit raised, replayed, delivered once', () => {
  const stack = useStack('replay');
  let receiver: TestReceiver;

  async function startNormalizer(env: Record<string, string> = {}): Promise<void> {
    await stack.start(['normalizer'], { env });
  }

  beforeAll(async () => {
    receiver = await startReceiver();
    // a normalizer that takes at most two events per webhook
    await startNormalizer({ MAX_EVENTS_PER_WEBHOOK: '2' });
    await stack.start(['ingress', 'subscriptions', 'delivery']);
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  const { admin } = stack;

  it('replays a Meta batch dead-lettered under a low limit once the limit is raised, delivering each event once', async () => {
    // given a business with a Meta source and a messages subscription
    const { key, base } = await stack.createBusiness('Acme Replays');
    const appSecret = 'e2e-replay-app-secret';
    const source = await admin<{ webhookUrl: string }>('POST', `${base}/sources`, key, {
      provider: 'meta',
      appSecret,
    });
    expect(source.status).toBe(201);
    expect(
      (
        await admin('POST', `${base}/webhooks`, key, {
          topic: 'messages',
          address: receiver.url(hooksPath),
          configuration: {},
        })
      ).status,
    ).toBe(201);
    await deliveryKnows(admin, { base, key });

    // when Meta posts its six-update batch, more than the normalizer takes
    const body = readFixture('meta/multi-entry-batch.json');
    await postUntilTaken(source.body.webhookUrl, body, metaSignature(appSecret, body));

    // then the business sees it dead-lettered whole, with the body as received, never replayed
    const deadLetter = await theOneInboundDeadLetter(admin, { base, key });
    expect(deadLetter).toMatchObject({
      reason: { code: 'too_many_events' },
      replayState: 'never_replayed',
    });
    const detail = await admin<InboundDeadLetter>(
      'GET',
      `${base}/inbound-dead-letters/${deadLetter.id}`,
      key,
    );
    expect(detail.body).toMatchObject({ bodyEncoding: 'utf8', body: body.toString('utf8') });
    const delivered = () =>
      receiver.requests.filter((r) => batchMessageIds.some((id) => r.body.includes(id)));
    expect(delivered()).toEqual([]);

    // when the normalizer runs again with the default limit and the dead letter is replayed
    await stack.service('normalizer').stop('SIGTERM');
    await startNormalizer();
    const replay = await admin<{ requestId: string; rawWebhooks: number }>(
      'POST',
      `${base}/inbound-dead-letters/${deadLetter.id}/replay`,
      key,
    );
    expect(replay.status).toBe(202);
    expect(replay.body.rawWebhooks).toBe(1);

    // then the three messages reach the subscriber, and the dead letter shows the replay's outcome
    await eventually(() => (delivered().length >= 3 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the three messages at the subscriber',
    });
    const replayed = await replayOutcome(
      admin,
      { base, key },
      deadLetter.id,
      replay.body.requestId,
    );
    expect(replayed).toMatchObject({
      replayState: 'replayed',
      lastReplay: { outcome: 'published', eventsPublished: 6 },
    });

    // and a second replay publishes nothing new: each message was delivered once
    const again = await admin<{ requestId: string }>(
      'POST',
      `${base}/inbound-dead-letters/replay`,
      key,
      {
        since: new Date(Date.now() - 3_600_000).toISOString(),
        until: new Date(Date.now() + 60_000).toISOString(),
      },
    );
    expect(again.status).toBe(202);
    const second = await replayOutcome(admin, { base, key }, deadLetter.id, again.body.requestId);
    expect(second.lastReplay).toMatchObject({ outcome: 'published', eventsPublished: 0 });
    const ids = delivered()
      .map((r) => (JSON.parse(r.body) as { data: { messageId: string } }).data.messageId)
      .sort();
    expect(ids).toEqual([...batchMessageIds].sort());

    // and each event leads back to the raw webhook it came from, under the same raw id
    const events = await admin<{ items: { id: string; rawid: string }[] }>(
      'GET',
      `${base}/events?q=${encodeURIComponent(batchMessageIds[0]!)}`,
      key,
    );
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0]!.rawid).toBe(deadLetter.rawWebhookId);
    const raw = await admin<{ id: string; body: string; events: unknown[] }>(
      'GET',
      `${base}/events/${events.body.items[0]!.id}/raw-webhook`,
      key,
    );
    expect(raw.body).toMatchObject({ id: deadLetter.rawWebhookId, body: body.toString('utf8') });
    expect(raw.body.events).toHaveLength(6);
  });
});
