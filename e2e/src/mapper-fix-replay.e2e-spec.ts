import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metaChangeBody } from '@switchboard/fixtures';
import { eventually, type TestReceiver } from '@switchboard/testing';
import { deliveryKnows, metaSignature, postUntilTaken } from './meta-business';
import { replayOutcome, theOneInboundDeadLetter } from './inbound-dead-letters';
import { hooksPath, startReceiver, useStack } from './stack';

/**
 * A normalizer release with a mapper bug, as a module loaded before the service (`--require`):
 * it maps a text message whose body holds the marker with a number for its message id, which the
 * event's schema refuses. The release after it is the repository's own mapper.
 */
const BUGGY_MAPPER = `
const Module = require('node:module');
const load = Module._load;
Module._load = function (...args) {
  const exported = load.apply(this, args);
  const Context = exported && exported.MappingContext;
  if (typeof Context === 'function' && !Context.prototype.__buggy) {
    const emit = Context.prototype.emit;
    Context.prototype.emit = function (draft) {
      const text = JSON.stringify(draft.data ?? null);
      if (!text.includes(process.env.MAPPER_BUG_MARKER)) return emit.call(this, draft);
      return emit.call(this, { ...draft, data: { ...draft.data, messageId: 42 } });
    };
    Context.prototype.__buggy = true;
  }
  return exported;
};
`;

describe('inbound dead letter replay after a mapper fix end to end: one item dead-lettered, fixed, replayed, delivered once', () => {
  const stack = useStack('mapper-fix');
  const marker = `mapper-bug-${randomUUID()}`;
  let receiver: TestReceiver;
  let preloadDir: string | undefined;

  beforeAll(async () => {
    receiver = await startReceiver();
    // a normalizer whose mapper mis-maps one kind of message
    preloadDir = mkdtempSync(join(tmpdir(), 'switchboard-mapper-'));
    const preload = join(preloadDir, 'buggy-mapper.cjs');
    writeFileSync(preload, BUGGY_MAPPER);
    await stack.start(['normalizer'], {
      env: {
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`,
        MAPPER_BUG_MARKER: marker,
      },
    });
    await stack.start(['ingress', 'subscriptions', 'delivery']);
  });

  afterAll(async () => {
    await receiver?.stop();
    if (preloadDir) rmSync(preloadDir, { recursive: true, force: true });
  });

  const { admin } = stack;

  it('publishes the good items of a Meta batch at once, and the one the buggy mapper refused after the fix and a replay, each delivered once', async () => {
    // given a business with a Meta source and a messages subscription, known to every service
    const appSecret = 'e2e-mapper-fix-app-secret';
    const business = await stack.createMetaBusiness({
      name: 'Acme Mapper Fix',
      appSecret,
      address: receiver.url(hooksPath),
    });
    const { key, base, source } = business;
    await deliveryKnows(admin, business);

    // when Meta posts one webhook with three text messages, the second of which the mapper
    // gets wrong
    const wamids = [0, 1, 2].map((i) => `wamid.e2e-fix-${i}-${randomUUID()}`);
    const body = Buffer.from(
      metaChangeBody({
        contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
        messages: wamids.map((id, i) => ({
          from: '16505551234',
          id,
          timestamp: String(1749416383 + i),
          type: 'text',
          text: { body: i === 1 ? `Blue, please ${marker}` : `Message ${i}` },
        })),
      }),
    );
    await postUntilTaken(source.webhookUrl, body, metaSignature(appSecret, body));

    // then the two good messages reach the subscriber
    const deliveredIds = () =>
      receiver.requests
        .map((r) => r.body)
        .filter((b) => wamids.some((id) => b.includes(id)))
        .map((b) => (JSON.parse(b) as { data: { messageId: string } }).data.messageId);
    await eventually(() => (deliveredIds().length >= 2 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the two good messages at the subscriber',
    });

    // and the refused one is the business's one inbound dead letter, pointing at that item
    const deadLetter = await theOneInboundDeadLetter(admin, { base, key });
    expect(deadLetter).toMatchObject({
      reason: { code: 'payload_schema_violation' },
      pointer: '/entry/0/changes/0/value/messages/1',
      replayState: 'never_replayed',
    });
    expect(deliveredIds().sort()).toEqual([wamids[0], wamids[2]].sort());

    // when the normalizer runs the fixed mapper and the dead letter is replayed
    await stack.service('normalizer').stop('SIGTERM');
    await stack.start(['normalizer']);
    const replay = await admin<{ requestId: string }>(
      'POST',
      `${base}/inbound-dead-letters/${deadLetter.id}/replay`,
      key,
    );
    expect(replay.status).toBe(202);

    // then the replay publishes the one event that was missing, under the same raw webhook
    const replayed = await replayOutcome(
      admin,
      { base, key },
      deadLetter.id,
      replay.body.requestId,
    );
    expect(replayed).toMatchObject({
      replayState: 'replayed',
      lastReplay: { outcome: 'published', eventsProduced: 3, eventsPublished: 1, deadLetters: 0 },
    });

    // and the subscriber has each of the three messages once
    await eventually(() => (deliveredIds().length >= 3 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the fixed message at the subscriber',
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(deliveredIds().sort()).toEqual([...wamids].sort());
    const events = await admin<{ items: { rawid: string }[] }>(
      'GET',
      `${base}/events?q=${encodeURIComponent(wamids[1]!)}`,
      key,
    );
    expect(events.body.items.map((e) => e.rawid)).toEqual([deadLetter.rawWebhookId]);
  });
});
