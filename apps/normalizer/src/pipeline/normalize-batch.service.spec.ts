import { DeadLetter, InboundRawTopic } from '@switchboard/contracts';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { envelopeOf } from '../../test/mapping';
import type { AuditBatch, AuditedEvent, AuditLogRepository } from './audit-log.repository';
import type { TraceContext } from '@switchboard/kafka';
import type { EventPublisher } from './event.publisher';
import { type ConsumedRaw, NormalizeBatchService, PACED_SLICE } from './normalize-batch.service';
import { NormalizerMetrics } from './normalizer.metrics';

/** A Meta webhook carrying `count` inbound text messages: one canonical event each. */
function metaWebhook(count: number, seed: string): string {
  const messages = Array.from({ length: count }, (_, i) => ({
    from: '15551234567',
    id: `wamid.${seed}-${i}`,
    timestamp: '1773142200',
    type: 'text',
    text: { body: `hello ${i}` },
  }));
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
              metadata: { display_phone_number: '15550000000', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Ana' }, wa_id: '15551234567' }],
              messages,
            },
          },
        ],
      },
    ],
  });
}

/** The service over an audit log and a publisher that keep what they are given. */
function service(maxEventsPerWebhook?: number) {
  const recorded: AuditBatch[] = [];
  const published: {
    events: AuditedEvent[];
    deadLetters: DeadLetter[];
    traceOf?: (rawId: string) => TraceContext | undefined;
  }[] = [];
  const auditLog = {
    record: async (batch: AuditBatch) => {
      recorded.push(batch);
      return batch.events;
    },
  } as unknown as AuditLogRepository;
  const publisher = {
    publish: async (
      events: AuditedEvent[],
      deadLetters: DeadLetter[],
      traceOf?: (rawId: string) => TraceContext | undefined,
    ) => {
      published.push({ events, deadLetters, traceOf });
    },
  } as unknown as EventPublisher;
  const metrics = new NormalizerMetrics(new Registry());
  return {
    batches: new NormalizeBatchService(auditLog, publisher, metrics, {
      MAX_EVENTS_PER_WEBHOOK: maxEventsPerWebhook ?? 5_000,
    }),
    recorded,
    published,
  };
}

const record = (body: string, id: string, offset: number): ConsumedRaw => ({
  topic: InboundRawTopic.name,
  partition: 0,
  offset: String(offset),
  envelope: envelopeOf('meta', body, { id }),
});

describe(NormalizeBatchService.name, () => {
  const small = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const large = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

  it('publishes every event and dead letter in the trace of the raw webhook it came from', async () => {
    // given three records of one batch, each with a trace of its own, the last not an envelope
    const { batches, published } = service();
    const traceSmall = { name: 'small' } as unknown as TraceContext;
    const traceLarge = { name: 'large' } as unknown as TraceContext;
    const traceBroken = { name: 'broken' } as unknown as TraceContext;

    // when the batch is processed
    await batches.process([
      { ...record(metaWebhook(2, 'a'), small, 0), traceContext: traceSmall },
      { ...record(metaWebhook(3, 'b'), large, 1), traceContext: traceLarge },
      {
        topic: InboundRawTopic.name,
        partition: 0,
        offset: '2',
        invalid: {
          reason: 'malformed_json',
          message: 'Unexpected token',
          issues: [],
          bytes: Buffer.from('not json'),
        },
        traceContext: traceBroken,
      },
    ]);

    // then each of the five events is published in its own webhook's trace
    const [{ events, deadLetters, traceOf }] = published as [(typeof published)[number]];
    expect(events.map((e) => traceOf?.(e.rawId))).toEqual([
      traceSmall,
      traceSmall,
      traceLarge,
      traceLarge,
      traceLarge,
    ]);
    // and the record that was not an envelope is dead-lettered in its own
    expect(deadLetters.map((d) => traceOf?.(d.rawId ?? d.id))).toEqual([traceBroken]);
  });

  it('dead-letters a webhook with more events than the limit whole, and publishes the others', async () => {
    // given a limit of 10 events per webhook
    const { batches, recorded, published } = service(10);

    // when a batch holds a webhook of 3 messages and one of 11
    const result = await batches.process([
      record(metaWebhook(3, 'a'), small, 0),
      record(metaWebhook(11, 'b'), large, 1),
    ]);

    // then the 3 events are published, the 11 are not, and the large webhook is dead-lettered
    // with why, its raw envelope stored in the audit log beside its dead letter
    expect(result).toEqual({ published: 3, deadLettered: 1 });
    expect(published[0]!.events.map((e) => e.rawId)).toEqual([small, small, small]);
    const [deadLetter] = published[0]!.deadLetters;
    expect(deadLetter).toMatchObject({
      rawId: large,
      reason: {
        code: 'too_many_events',
        message:
          'the webhook holds 11 events; at most 10 per webhook (MAX_EVENTS_PER_WEBHOOK): nothing of it was published',
      },
      original: { kind: 'envelope' },
    });
    expect(
      recorded[0]!.raws.map((r) => [r.envelope.id, r.outcome, r.reason?.code ?? null]),
    ).toEqual([
      [small, 'normalized', null],
      [large, 'dead_lettered', 'too_many_events'],
    ]);
  });

  it('counts malformed items toward the limit, so they cannot become unbounded dead letters', async () => {
    // given a limit of 10, and a webhook of 3 good statuses and 8 that are not objects
    const { batches, published } = service(10);
    const value = metaUpdates(0, 3, 'm');
    value.statuses = [...(value.statuses as unknown[]), ...Array.from({ length: 8 }, () => 0)];

    // when
    const result = await batches.process([record(metaBody(value), large, 0)]);

    // then the webhook is dead-lettered whole, once
    expect(result).toEqual({ published: 0, deadLettered: 1 });
    expect(published[0]!.deadLetters[0]).toMatchObject({
      reason: {
        code: 'too_many_events',
        message:
          'the webhook holds 11 events (8 of them malformed); at most 10 per webhook (MAX_EVENTS_PER_WEBHOOK): nothing of it was published',
      },
      original: { kind: 'envelope' },
    });
  });

  it('takes a webhook of exactly the limit, and Meta batches of 1,000 by default', async () => {
    const { batches } = service(10);
    expect(await batches.process([record(metaWebhook(10, 'c'), small, 0)])).toEqual({
      published: 10,
      deadLettered: 0,
    });
    const defaults = service();
    expect(await defaults.batches.process([record(metaWebhook(1_000, 'd'), large, 0)])).toEqual({
      published: 1_000,
      deadLettered: 0,
    });
  });
});

/** A Meta `messages` change value with `messages` inbound messages and `statuses` statuses. */
function metaUpdates(messages: number, statuses: number, seed: string): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550000000', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: '15551234567' }],
    messages: Array.from({ length: messages }, (_, i) => ({
      from: '15551234567',
      id: `wamid.${seed}-in-${i}`,
      timestamp: String(1773142200 + i),
      type: 'text',
      text: { body: `hello ${i}` },
    })),
    statuses: Array.from({ length: statuses }, (_, i) => ({
      id: `wamid.${seed}-out-${i}`,
      status: ['sent', 'delivered', 'read'][i % 3],
      timestamp: String(1773142300 + i),
      recipient_id: '15551234567',
    })),
  };
}

function metaBody(value: Record<string, unknown>): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value }] }],
  });
}

type Item = Record<string, unknown>;

/** Ways to spoil one update so that it cannot become an event; each keeps the others intact. */
const corruptions: Record<'messages' | 'statuses', fc.Arbitrary<(item: Item) => unknown>> = {
  messages: fc.constantFrom(
    () => null,
    () => 'not an update',
    () => 42,
    () => [],
    ({ timestamp: _, ...rest }: Item) => rest,
    (item: Item) => ({ ...item, timestamp: 'yesterday' }),
    (item: Item) => ({ ...item, timestamp: { seconds: 1 } }),
    (item: Item) => ({ ...item, text: {} }),
  ),
  statuses: fc.constantFrom(
    () => null,
    () => true,
    () => 'delivered',
    ({ id: _, ...rest }: Item) => rest,
    (item: Item) => ({ ...item, id: '' }),
    (item: Item) => ({ ...item, id: { value: 'wamid' } }),
    ({ status: _, ...rest }: Item) => rest,
    (item: Item) => ({ ...item, status: 7 }),
    ({ timestamp: _, ...rest }: Item) => rest,
    (item: Item) => ({ ...item, timestamp: '2026-13-45' }),
  ),
};

describe(`${NormalizeBatchService.name} paced (the bulk lane)`, () => {
  it('stores and publishes the batch slice by slice, each once the pace lets it', async () => {
    // given a pace that logs what it is asked for, and when
    const { batches, recorded, published } = service();
    const asked: { events: number; storedBefore: number; publishedBefore: number }[] = [];
    const pace = async (events: number): Promise<void> => {
      asked.push({ events, storedBefore: recorded.length, publishedBefore: published.length });
    };
    const rawId = '3f2b8c1e-8a4d-4c55-9b1e-2b7f3c9d0a11';

    // when a webhook of two and a half slices of messages is processed with it
    const count = PACED_SLICE * 2 + PACED_SLICE / 2;
    const result = await batches.process([record(metaWebhook(count, 'bulk'), rawId, 0)], { pace });

    // then it was stored and published in slices of PACED_SLICE, each asked of the pace first
    const half = PACED_SLICE / 2;
    expect(asked).toEqual([
      { events: PACED_SLICE, storedBefore: 0, publishedBefore: 0 },
      { events: PACED_SLICE, storedBefore: 1, publishedBefore: 1 },
      { events: half, storedBefore: 2, publishedBefore: 2 },
    ]);
    expect(recorded.map((r) => [r.raws.length, r.events.length])).toEqual([
      [1, PACED_SLICE],
      [0, PACED_SLICE],
      [0, half],
    ]);
    expect(recorded[0]!.raws[0]!.envelope.id).toBe(rawId);
    expect(published.map((p) => p.events.length)).toEqual([PACED_SLICE, PACED_SLICE, half]);
    expect(new Set(published.flatMap((p) => p.events).map((e) => e.event.id)).size).toBe(count);
    expect(result).toEqual({ published: count, deadLettered: 0 });
  });

  it('takes each slice of the size asked just before it, as the pace changes', async () => {
    // given slice sizes that change as the batch goes (the raw topic turns busy, then quiet)
    const { batches, published } = service();
    const sizes = [20, 3, 3, 20];
    const asked: number[] = [];
    const slice = (): number => sizes.shift() ?? 20;

    // when a webhook of 30 messages is processed with them
    const result = await batches.process(
      [record(metaWebhook(30, 'bulk'), '6a1d3c0e-2f4b-4a8e-9c3d-7b1e5f2a4c68', 0)],
      { pace: async (events) => void asked.push(events), slice },
    );

    // then each slice took the size asked just before it, and every message was published once
    expect(asked).toEqual([20, 3, 3, 4]);
    expect(published.map((p) => p.events.length)).toEqual([20, 3, 3, 4]);
    expect(result.published).toBe(30);
  });

  it('publishes the dead letters of a paced batch with nothing to publish', async () => {
    const { batches, published } = service();
    const asked: number[] = [];
    await batches.process(
      [
        {
          topic: InboundRawTopic.name,
          partition: 0,
          offset: '0',
          invalid: { reason: 'malformed_json', message: 'x', issues: [], bytes: Buffer.from('{') },
        },
      ],
      { pace: async (events) => void asked.push(events) },
    );
    expect(asked).toEqual([0]);
    expect(published.map((p) => p.deadLetters.length)).toEqual([1]);
  });

  it('publishes nothing further once the pace gives up, so the batch is consumed again', async () => {
    const { batches, published } = service();
    let calls = 0;
    const pace = async (): Promise<void> => {
      calls += 1;
      if (calls === 2) throw new Error('stopping');
    };
    await expect(
      batches.process(
        [record(metaWebhook(250, 'stop'), 'a7d1c7e2-5b1f-4f0e-8d55-0c6f5e2b9a33', 0)],
        {
          pace,
        },
      ),
    ).rejects.toThrow('stopping');
    expect(published.map((p) => p.events.length)).toEqual([PACED_SLICE]);
  });
});

describe(`${NormalizeBatchService.name} with one corrupted update`, () => {
  it('publishes the N−1 good events of a Meta batch and dead-letters the one bad update alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .record({
            // mostly small batches, and some up to Meta's 1,000 updates
            messages: fc.oneof(
              { arbitrary: fc.integer({ min: 0, max: 40 }), weight: 9 },
              { arbitrary: fc.integer({ min: 0, max: 500 }), weight: 1 },
            ),
            statuses: fc.oneof(
              { arbitrary: fc.integer({ min: 0, max: 40 }), weight: 9 },
              { arbitrary: fc.integer({ min: 0, max: 500 }), weight: 1 },
            ),
            kind: fc.constantFrom('messages' as const, 'statuses' as const),
            at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          })
          .filter(({ messages, statuses, kind }) => (kind === 'messages' ? messages : statuses) > 0)
          .chain((shape) => fc.tuple(fc.constant(shape), corruptions[shape.kind])),
        async ([{ messages, statuses, kind, at }, corrupt]) => {
          // given a Meta webhook of N updates, one of which is corrupted
          const value = metaUpdates(messages, statuses, 'p');
          const items = value[kind] as Item[];
          const k = Math.floor(at * items.length);
          const corrupted = corrupt(items[k]!);
          items[k] = corrupted as Item;
          const { batches, recorded, published } = service();
          const rawId = '9b2f3c4d-1e5a-4b6c-8d7e-0f1a2b3c4d5e';

          // when it is normalized
          const result = await batches.process([record(metaBody(value), rawId, 0)]);

          // then the N−1 good updates are published and the bad one is dead-lettered on its own,
          // with the raw id, its JSON pointer, why, and the update exactly as sent
          const n = messages + statuses;
          expect(result).toEqual({ published: n - 1, deadLettered: 1 });
          const [deadLetter] = published[0]!.deadLetters;
          expect(deadLetter).toMatchObject({
            rawId,
            pointer: `/entry/0/changes/0/value/${kind}/${k}`,
            reason: { code: 'payload_schema_violation' },
            original: { kind: 'item', value: corrupted },
          });
          expect(deadLetter!.issues.length).toBeGreaterThan(0);
          expect(DeadLetter.safeParse(deadLetter).success).toBe(true);
          const ids = published[0]!.events.map((e) => e.event.data.messageId);
          expect(ids).not.toContain(`wamid.p-${kind === 'messages' ? 'in' : 'out'}-${k}`);
          expect(new Set(ids).size).toBe(n - 1);
          // and the audit log records the partial outcome
          expect(recorded[0]!.raws).toMatchObject([
            {
              outcome: n === 1 ? 'dead_lettered' : 'partial',
              reason: { code: 'payload_schema_violation' },
            },
          ]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps one dead letter per item, at the same id when the record is consumed again', async () => {
    // given a batch whose second status is not an object
    const value = metaUpdates(1, 3, 'q');
    (value.statuses as unknown[])[1] = 'oops';
    const body = metaBody(value);
    const rawId = '3d6f0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b';

    // when the same raw record is processed twice (a crash before the offset commit)
    const first = service();
    await first.batches.process([record(body, rawId, 0)]);
    const again = service();
    await again.batches.process([record(body, rawId, 0)]);

    // then both give the one dead letter, under the same id
    const ids = [first, again].map((s) => s.published[0]!.deadLetters.map((d) => d.id));
    expect(ids[0]).toHaveLength(1);
    expect(ids[1]).toEqual(ids[0]);
    expect(first.published[0]!.events).toHaveLength(3);
  });
});
