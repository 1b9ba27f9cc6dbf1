import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { NormalizerCommandsTopic, type ReplayRawWebhookCommand } from '@switchboard/contracts';
import { readFixture } from '@switchboard/fixtures';
import { eventually } from '@switchboard/testing';
import { NormalizerTestBed } from '../../test/normalizer-app';
import { ReplayService } from './replay.service';

/** Meta's multi-entry batch (six updates), its message ids and template id made this test's own. */
function metaBatch(suffix: string): string {
  return readFixture('meta/multi-entry-batch.json')
    .toString('utf8')
    .replaceAll('wamid.', `wamid.${suffix}-`)
    .replace('998877665544332', String(Date.now()));
}

interface ReplayRow {
  outcome: string;
  events_produced: number;
  events_published: number;
  dead_letters: number;
}

describe(ReplayService.name, () => {
  const bed = new NormalizerTestBed();
  let app: NestFastifyApplication | undefined;

  async function start(env: Record<string, string> = {}): Promise<void> {
    await app?.close();
    app = await bed.startApp(env);
    await app.init();
  }

  beforeAll(async () => {
    await bed.setUp();
    // the app provisions the topics the observer follows
    await start();
    await bed.follow();
  });

  afterAll(async () => {
    await app?.close();
    await bed.tearDown();
  });

  function replayOf(rawId: string, businessId = 'biz_acme'): ReplayRawWebhookCommand {
    return {
      id: randomUUID(),
      type: 'replay',
      requestId: randomUUID(),
      businessId,
      rawId,
      issuedAt: new Date().toISOString(),
    };
  }

  const publishedFor = (rawId: string) => bed.published.filter((m) => m.value.rawid === rawId);
  const replays = (rawId: string) =>
    bed.query<ReplayRow & { id: string }>(
      `SELECT id, outcome, events_produced, events_published, dead_letters
       FROM audit.replays_v1 WHERE raw_id = $1 ORDER BY replayed_at`,
      [rawId],
    );

  it('publishes nothing new when replaying a webhook whose events were published, and records it', async () => {
    // given a Meta batch normalized and published: six events
    const [raw] = await bed.sendRaw({ provider: 'meta', body: metaBatch(`ok-${randomUUID()}`) });
    await eventually(() => (publishedFor(raw!.id).length >= 6 ? true : undefined), {
      what: 'six events',
    });
    await bed.waitCommitted();

    // when it is replayed (and the same command comes twice)
    const command = replayOf(raw!.id);
    await bed.sendCommands(command, command);
    await bed.waitCommitted(NormalizerCommandsTopic.name);

    // then the replay is recorded once, with six events produced and none new, and none published
    expect(await replays(raw!.id)).toEqual([
      {
        id: command.id,
        outcome: 'published',
        events_produced: 6,
        events_published: 0,
        dead_letters: 0,
      },
    ]);
    expect(publishedFor(raw!.id)).toHaveLength(6);
  });

  it('publishes the events once when a dead-lettered webhook is replayed after the limit was raised', async () => {
    // given a normalizer that takes at most two events per webhook, and a six-update batch it
    // dead-letters whole
    await start({ MAX_EVENTS_PER_WEBHOOK: '2' });
    const [raw] = await bed.sendRaw({ provider: 'meta', body: metaBatch(`dl-${randomUUID()}`) });
    const deadLetter = await eventually(
      () => bed.deadLetters.find((d) => d.value.rawId === raw!.id),
      { what: 'the dead letter' },
    );
    expect(deadLetter.value.reason.code).toBe('too_many_events');
    await bed.waitCommitted();
    expect(publishedFor(raw!.id)).toEqual([]);

    // when the normalizer runs with the default limit and the webhook is replayed twice
    await start();
    const first = replayOf(raw!.id);
    await bed.sendCommands(first);
    await eventually(() => (publishedFor(raw!.id).length >= 6 ? true : undefined), {
      what: 'six events from the replay',
    });
    const second = replayOf(raw!.id);
    await bed.sendCommands(second);
    await bed.waitCommitted(NormalizerCommandsTopic.name);

    // then the six events are published once, under the same raw id, and both replays recorded
    const events = publishedFor(raw!.id);
    expect(events).toHaveLength(6);
    expect(new Set(events.map((e) => e.value.id)).size).toBe(6);
    expect(await replays(raw!.id)).toEqual([
      {
        id: first.id,
        outcome: 'published',
        events_produced: 6,
        events_published: 6,
        dead_letters: 0,
      },
      {
        id: second.id,
        outcome: 'published',
        events_produced: 6,
        events_published: 0,
        dead_letters: 0,
      },
    ]);
    const stored = await bed.query<{ count: string }>(
      `SELECT count(*) FROM audit.events_v1 WHERE raw_id = $1`,
      [raw!.id],
    );
    expect(stored).toEqual([{ count: '6' }]);
  });

  it('records a replay that dead-letters again and refuses a command for another business', async () => {
    // given a webhook dead-lettered under a limit of two, with the limit still two
    await start({ MAX_EVENTS_PER_WEBHOOK: '2' });
    const [raw] = await bed.sendRaw({ provider: 'meta', body: metaBatch(`again-${randomUUID()}`) });
    await eventually(() => bed.deadLetters.find((d) => d.value.rawId === raw!.id), {
      what: 'the dead letter',
    });
    const dlqBefore = bed.deadLetters.length;

    // when it is replayed, and another business asks to replay it
    const mine = replayOf(raw!.id);
    await bed.sendCommands(mine, replayOf(raw!.id, 'biz_other'));
    await bed.waitCommitted(NormalizerCommandsTopic.name);

    // then the replay is recorded as dead-lettered again (the same dead letter, not sent again),
    // nothing is published, and the other business's command left no trace
    expect(await replays(raw!.id)).toEqual([
      {
        id: mine.id,
        outcome: 'dead_lettered',
        events_produced: 0,
        events_published: 0,
        dead_letters: 1,
      },
    ]);
    expect(publishedFor(raw!.id)).toEqual([]);
    expect(bed.deadLetters).toHaveLength(dlqBefore);
  });
});
