import { createHash } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFixture } from '@switchboard/fixtures';
import { eventually } from '@switchboard/testing';
import { NormalizerTestBed } from '../../test/normalizer-app';
import { EventPublisher } from './event.publisher';
import { NormalizeBatchService } from './normalize-batch.service';

/** A Meta request with two entries, three changes, two messages, a status and a template update. */
function multiEntryRequest(suffix: string): string {
  // Template events are keyed by template id, event and time: each request gets its own template.
  const templateId = Number.parseInt(
    createHash('sha256').update(suffix).digest('hex').slice(0, 8),
    16,
  );
  const metadata = { display_phone_number: '15550783881', phone_number_id: '106540352242922' };
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata,
              contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
              messages: [
                {
                  from: '16505551234',
                  id: `wamid.A-${suffix}`,
                  timestamp: '1749416383',
                  type: 'text',
                  text: { body: 'hi' },
                },
                {
                  from: '16505551234',
                  id: `wamid.B-${suffix}`,
                  timestamp: '1749416384',
                  type: 'image',
                  image: { id: '1479537139650973', mime_type: 'image/jpeg', sha256: 'abc' },
                },
              ],
            },
          },
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata,
              statuses: [
                {
                  id: `wamid.C-${suffix}`,
                  status: 'delivered',
                  timestamp: '1749416390',
                  recipient_id: '16505551234',
                },
              ],
            },
          },
        ],
      },
      {
        id: '102290129340398',
        time: 1749416400,
        changes: [
          {
            field: 'message_template_status_update',
            value: {
              event: 'APPROVED',
              message_template_id: templateId,
              message_template_name: `order_update_${suffix}`,
              message_template_language: 'en_US',
              reason: 'NONE',
            },
          },
        ],
      },
    ],
  });
}

describe('normalizer pipeline (real Kafka and PostgreSQL)', () => {
  const bed = new NormalizerTestBed();
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    await bed.setUp();
    app = await bed.startApp();
    await app.init();
    await bed.follow();
  });

  afterAll(async () => {
    await app?.close();
    await bed.tearDown();
  });

  function publishedFor(rawId: string) {
    return bed.published.filter((m) => m.value.rawid === rawId);
  }

  it('turns a multi-entry Meta request into exactly the expected events, in the log and on the topics', async () => {
    // given one raw Meta webhook with two messages, a status and a template update
    const [raw] = await bed.sendRaw({ provider: 'meta', body: multiEntryRequest('one') });

    // then four events are published, one per update, with CloudEvents headers and conversation keys
    const events = await eventually(
      () => (publishedFor(raw!.id).length >= 4 ? publishedFor(raw!.id) : undefined),
      {
        what: 'four events',
      },
    );
    await bed.waitCommitted();
    expect(publishedFor(raw!.id)).toHaveLength(4);
    expect(events.map((e) => e.value.type).sort()).toEqual([
      'whatsapp.message.received',
      'whatsapp.message.received',
      'whatsapp.message.status_updated',
      'whatsapp.template.status_changed',
    ]);
    const text = events.find(
      (e) =>
        e.value.type === 'whatsapp.message.received' &&
        e.value.data &&
        JSON.stringify(e.value.data).includes('wamid.A-one'),
    )!;
    expect(text.topic).toBe(bed.topic('switchboard.messages.v1'));
    expect(text.key).toBe('106540352242922:16505551234');
    expect(text.headers).toMatchObject({
      ce_id: text.value.id,
      ce_type: 'whatsapp.message.received',
      ce_source: text.value.source,
      ce_time: text.value.time,
      'content-type': expect.stringContaining('application/cloudevents+json'),
    });
    expect(text.value).toMatchObject({
      specversion: '1.0',
      businessid: 'biz_acme',
      provider: 'meta',
      time: '2025-06-08T20:59:43Z',
    });
    expect(events.find((e) => e.value.type === 'whatsapp.message.status_updated')!.topic).toBe(
      bed.topic('switchboard.delivery_status.v1'),
    );
    expect(events.find((e) => e.value.type === 'whatsapp.template.status_changed')!.topic).toBe(
      bed.topic('switchboard.templates.v1'),
    );

    // and the audit log holds the raw webhook byte for byte and each event once
    const rows = await bed.query<{ id: string; type: string; message_id: string | null }>(
      'SELECT id, type, message_id FROM canonical_events WHERE raw_id = $1',
      [raw!.id],
    );
    expect(rows.map((r) => r.id).sort()).toEqual(events.map((e) => e.value.id).sort());
    expect(rows.filter((r) => r.message_id === 'wamid.A-one')).toHaveLength(1);
    const [stored] = await bed.query<{ body: Buffer; outcome: string }>(
      'SELECT body, outcome FROM raw_webhooks WHERE id = $1',
      [raw!.id],
    );
    expect(stored!.body.toString()).toBe(multiEntryRequest('one'));
    expect(stored!.outcome).toBe('normalized');
  });

  it("publishes a provider's duplicate delivery once: same events, same ids, once in the log", async () => {
    // given the same webhook delivered twice by the provider (two raw webhooks, same body)
    const body = multiEntryRequest('dup');
    const [first] = await bed.sendRaw({ provider: 'meta', body });
    await eventually(() => (publishedFor(first!.id).length === 4 ? true : undefined), {
      what: 'first delivery',
    });
    const [second] = await bed.sendRaw({ provider: 'meta', body });

    // when both are processed
    await bed.waitCommitted();

    // then nothing is published for the duplicate, and each event is in the log once
    expect(publishedFor(second!.id)).toHaveLength(0);
    const ids = publishedFor(first!.id).map((e) => e.value.id);
    const counts = await bed.query<{ id: string; n: string }>(
      'SELECT id, count(*) AS n FROM canonical_events WHERE id = ANY($1::uuid[]) GROUP BY id',
      [ids],
    );
    expect(counts).toHaveLength(4);
    expect(counts.every((c) => c.n === '1')).toBe(true);
    const raws = await bed.query<{ id: string }>(
      'SELECT id FROM raw_webhooks WHERE id = ANY($1::uuid[])',
      [[first!.id, second!.id]],
    );
    expect(raws).toHaveLength(2);
  });

  it('publishes the good updates of a batch with one malformed status and dead-letters that one alone', async () => {
    // given a Meta webhook of four statuses, the third with a timestamp that is not a time
    const body = readFixture('meta/statuses-batch-one-malformed.json');
    const [raw] = await bed.sendRaw({ provider: 'meta', body });

    // then the three good statuses are published on delivery_status
    const events = await eventually(
      () => (publishedFor(raw!.id).length >= 3 ? publishedFor(raw!.id) : undefined),
      { what: 'three status events' },
    );
    const deadLetter = await eventually(
      () => bed.deadLetters.find((d) => d.value.rawId === raw!.id),
      { what: 'the item dead letter' },
    );
    await bed.waitCommitted();
    expect(publishedFor(raw!.id)).toHaveLength(3);
    expect(events.every((e) => e.topic === bed.topic('switchboard.delivery_status.v1'))).toBe(true);
    expect(events.map((e) => (e.value.data as { messageId: string }).messageId).sort()).toEqual([
      'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCQVRDSDAw0',
      'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCQVRDSDAw1',
      'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCQVRDSDAw3',
    ]);

    // and the malformed one is one dead letter, with the raw id, its JSON pointer and why
    expect(bed.deadLetters.filter((d) => d.value.rawId === raw!.id)).toHaveLength(1);
    expect(deadLetter.value).toMatchObject({
      rawId: raw!.id,
      pointer: '/entry/0/changes/0/value/statuses/2',
      reason: { code: 'payload_schema_violation' },
      original: { kind: 'item', value: { timestamp: 'not-a-time' } },
    });
    expect(deadLetter.value.issues.map((i) => i.path.join('.'))).toContain('data.timestamp');

    // and the audit log records the webhook as partial, its three events and the dead letter
    const [stored] = await bed.query<{ outcome: string; dead_letter: { message: string } }>(
      'SELECT outcome, dead_letter FROM raw_webhooks WHERE id = $1',
      [raw!.id],
    );
    expect(stored!.outcome).toBe('partial');
    expect(stored!.dead_letter.message).toContain('/entry/0/changes/0/value/statuses/2');
    const rows = await bed.query<{ id: string }>(
      'SELECT id FROM canonical_events WHERE raw_id = $1',
      [raw!.id],
    );
    expect(rows.map((r) => r.id).sort()).toEqual(events.map((e) => e.value.id).sort());
    const dead = await bed.query<{ reason_code: string; pointer: string }>(
      `SELECT reason_code, dead_letter->>'pointer' AS pointer FROM dead_letters WHERE raw_id = $1`,
      [raw!.id],
    );
    expect(dead).toEqual([
      { reason_code: 'payload_schema_violation', pointer: '/entry/0/changes/0/value/statuses/2' },
    ]);
  });

  it('dead-letters a malformed envelope and an unparseable payload, records them, and keeps going', async () => {
    // given garbage on the raw topic, a signed body that is not JSON, then a good webhook
    await bed.sendRawBytes({ key: 'src_test', value: Buffer.from('{"not":"an envelope"') });
    const [broken] = await bed.sendRaw({
      provider: 'meta',
      body: '{"object":"whatsapp_business_account","entry":[{',
    });
    const [good] = await bed.sendRaw({
      provider: 'meta',
      body: readFixture('meta/text-message.json'),
    });

    // then both failures reach the DLQ with their reasons, and the good one is still published
    await eventually(() => (publishedFor(good!.id).length === 1 ? true : undefined), {
      what: 'good webhook',
    });
    const envelopeFailure = await eventually(
      () => bed.deadLetters.find((d) => d.value.reason.code === 'envelope_malformed_json'),
      { what: 'envelope dead letter' },
    );
    expect(envelopeFailure.value.original.kind).toBe('bytes');
    const payloadFailure = await eventually(
      () => bed.deadLetters.find((d) => d.value.rawId === broken!.id),
      {
        what: 'payload dead letter',
      },
    );
    expect(payloadFailure.value.reason.code).toBe('payload_malformed_json');
    const recorded = await bed.query<{ reason_code: string }>(
      'SELECT reason_code FROM dead_letters ORDER BY reason_code',
    );
    expect(recorded.map((r) => r.reason_code)).toEqual(
      expect.arrayContaining(['envelope_malformed_json', 'payload_malformed_json']),
    );
    const [raw] = await bed.query<{ outcome: string }>(
      'SELECT outcome FROM raw_webhooks WHERE id = $1',
      [broken!.id],
    );
    expect(raw!.outcome).toBe('dead_lettered');
  });
});

describe('normalizer restarts (real Kafka and PostgreSQL)', () => {
  const bed = new NormalizerTestBed();

  beforeAll(async () => {
    await bed.setUp();
  });

  afterAll(() => bed.tearDown());

  it('publishes every event after dying between the audit insert and the publish', async () => {
    // given a normalizer that dies right after writing the audit log, before publishing
    const crashing = await bed.startApp();
    const dead = jest
      .spyOn(EventPublisher.prototype, 'publish')
      .mockRejectedValue(new Error('process died before publishing'));
    await crashing.init();
    await bed.follow();
    const [raw] = await bed.sendRaw({ provider: 'meta', body: multiEntryRequest('crash-1') });
    await eventually(
      async () =>
        (await bed.query('SELECT id FROM canonical_events WHERE raw_id = $1', [raw!.id])).length ===
        4
          ? true
          : undefined,
      { what: 'events in the audit log' },
    );
    await crashing.close();
    dead.mockRestore();
    expect(bed.published.filter((m) => m.value.rawid === raw!.id)).toHaveLength(0);

    // when a new normalizer starts in the same group
    const restarted = await bed.startApp();
    await restarted.init();
    await bed.waitCommitted();

    // then every event is published, once, and the log holds each once
    await eventually(
      () =>
        bed.published.filter((m) => m.value.rawid === raw!.id).length === 4 ? true : undefined,
      {
        what: 'events after restart',
      },
    );
    const ids = bed.published.filter((m) => m.value.rawid === raw!.id).map((m) => m.value.id);
    expect(new Set(ids).size).toBe(4);
    await restarted.close();
  });

  it('leaves no duplicate rows after dying between the publish and the offset commit', async () => {
    // given a normalizer that dies after publishing, before its offsets are committed
    const crashing = await bed.startApp();
    const batches = crashing.get(NormalizeBatchService);
    const realProcess = batches.process.bind(batches);
    batches.process = async (records) => {
      await realProcess(records);
      throw new Error('process died before committing');
    };
    await crashing.init();
    const [raw] = await bed.sendRaw({ provider: 'meta', body: multiEntryRequest('crash-2') });
    await eventually(
      () => (bed.published.filter((m) => m.value.rawid === raw!.id).length >= 4 ? true : undefined),
      {
        what: 'first publish',
      },
    );
    await crashing.close();

    // when a new normalizer reprocesses the uncommitted batch
    const restarted = await bed.startApp();
    await restarted.init();
    await bed.waitCommitted();

    // then the audit log still holds the raw webhook and each event exactly once
    const raws = await bed.query('SELECT id FROM raw_webhooks WHERE id = $1', [raw!.id]);
    expect(raws).toHaveLength(1);
    const rows = await bed.query<{ id: string; n: string }>(
      'SELECT id, count(*) AS n FROM canonical_events WHERE raw_id = $1 GROUP BY id',
      [raw!.id],
    );
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.n === '1')).toBe(true);
    // and every event reached the topics at least once (delivery is at-least-once)
    const ids = new Set(
      bed.published.filter((m) => m.value.rawid === raw!.id).map((m) => m.value.id),
    );
    expect(ids.size).toBe(4);
    await restarted.close();
  });
});
