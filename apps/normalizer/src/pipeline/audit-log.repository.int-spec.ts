import { randomBytes, randomUUID } from 'node:crypto';
import {
  type CloudEvent,
  createRawEnvelope,
  type DeadLetter,
  type RawInboundEnvelope,
} from '@switchboard/contracts';
import { dataSourceOptions, ensureSchema } from '@switchboard/database';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { DataSource } from 'typeorm';
import { normalizerMigrations } from '../database/migrations';
import { type AuditedEvent, AuditLogRepository } from './audit-log.repository';

function envelope(body: Buffer): RawInboundEnvelope {
  return createRawEnvelope({
    sourceId: 'src_meta_acme',
    businessId: 'biz_acme',
    provider: 'meta',
    environment: 'production',
    contentType: 'application/json',
    headers: { 'x-hub-signature-256': `sha256=${'ab'.repeat(32)}`, 'user-agent': 'test' },
    body,
  });
}

function event(id: string, raw: RawInboundEnvelope, messageId: string | null): AuditedEvent {
  const value = {
    specversion: '1.0',
    id,
    source: 'switchboard/meta/102290129340398',
    type: 'whatsapp.message.received',
    time: '2025-06-08T20:59:43Z',
    datacontenttype: 'application/json',
    businessid: 'biz_acme',
    topic: 'messages',
    environment: 'production',
    provider: 'meta',
    rawid: raw.id,
    data: { messageId, text: 'hi "there" \\ \u00e9 \u{1f600}' },
  } as unknown as CloudEvent;
  return { event: value, json: JSON.stringify(value), rawId: raw.id, messageId };
}

describe('audit log repository (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: AuditLogRepository;

  beforeAll(async () => {
    database = await createTestDatabase('normalizer_audit');
    await ensureSchema(database.url, 'normalizer');
    dataSource = new DataSource(
      dataSourceOptions({
        url: database.url,
        schema: 'normalizer',
        entities: [],
        migrations: normalizerMigrations,
      }),
    );
    await dataSource.initialize();
    await dataSource.runMigrations();
    repository = new AuditLogRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('stores every raw body byte for byte, with its headers, outcome and dead letter', async () => {
    // given bodies of any bytes: empty, not UTF-8, large, and base64 whose last digit has spare bits
    const bodies = [
      Buffer.alloc(0),
      Buffer.from([0xff, 0xfe, 0x00, 0x80]),
      randomBytes(70_000),
      Buffer.from('{"a":1}'),
    ];
    const raws = bodies.map((body) => ({
      envelope: envelope(body),
      outcome: 'normalized' as const,
      reason: null,
    }));
    const loose = envelope(Buffer.from('A'));
    loose.body = 'QR=='; // decodes to "A" like "QQ==" (the low bits of R are ignored)
    const deadLetter: DeadLetter = {
      id: randomUUID(),
      rawId: loose.id,
      sourceId: loose.sourceId,
      receivedAt: loose.receivedAt,
      failedAt: '2026-03-10T11:30:00.123Z',
      reason: { code: 'payload_malformed_json', message: 'The body is not JSON' },
      issues: [{ path: ['entry', 0], message: 'bad "quote"', code: 'custom' }],
      original: { kind: 'envelope', envelope: loose },
    };

    // when
    await repository.record({
      raws: [...raws, { envelope: loose, outcome: 'dead_lettered', reason: deadLetter.reason }],
      events: [],
      deadLetters: [deadLetter],
    });

    // then
    const rows: {
      id: string;
      body: Buffer;
      headers: Record<string, string>;
      outcome: string;
      dead_letter: unknown;
      received_at: Date;
    }[] = await dataSource.query(
      `SELECT id, body, headers, outcome, dead_letter, received_at FROM raw_webhooks`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const { envelope: e } of raws) {
      const row = byId.get(e.id)!;
      expect(row.body.equals(Buffer.from(e.body, 'base64'))).toBe(true);
      expect(row.headers).toEqual(e.headers);
      expect(row.outcome).toBe('normalized');
      expect(row.dead_letter).toBeNull();
      expect(row.received_at.toISOString()).toBe(e.receivedAt);
    }
    const dead = byId.get(loose.id)!;
    expect(dead.body.toString()).toBe('A');
    expect(dead.outcome).toBe('dead_lettered');
    expect(dead.dead_letter).toEqual(deadLetter.reason);
    const [stored] = await dataSource.query(
      `SELECT id, raw_id, source_id, reason_code, message, issues, dead_letter, failed_at FROM dead_letters`,
    );
    expect(stored).toEqual({
      id: deadLetter.id,
      raw_id: loose.id,
      source_id: loose.sourceId,
      reason_code: 'payload_malformed_json',
      message: 'The body is not JSON',
      issues: deadLetter.issues,
      dead_letter: JSON.parse(JSON.stringify(deadLetter)),
      failed_at: new Date(deadLetter.failedAt),
    });
  });

  it('returns events new to the log or introduced by the same raw webhook, never a duplicate', async () => {
    // given a raw webhook with two events, one of them repeated inside the batch by another raw
    const first = envelope(Buffer.from('{"first":true}'));
    const second = envelope(Buffer.from('{"second":true}'));
    const [a, b] = [randomUUID(), randomUUID()];
    const batch = {
      raws: [first, second].map((e) => ({
        envelope: e,
        outcome: 'normalized' as const,
        reason: null,
      })),
      events: [event(a, first, 'wamid.A'), event(b, first, null), event(a, second, 'wamid.A')],
      deadLetters: [],
    };

    // when it is recorded, and recorded again (a crash before publishing repeats the batch)
    const published = await repository.record(batch);
    const again = await repository.record(batch);

    // then the first raw webhook's events are published both times, the duplicate never
    expect(published.map((e) => [e.event.id, e.rawId])).toEqual([
      [a, first.id],
      [b, first.id],
    ]);
    expect(again.map((e) => [e.event.id, e.rawId])).toEqual([
      [a, first.id],
      [b, first.id],
    ]);
    // and a later provider duplicate in a batch of its own publishes nothing
    const third = envelope(Buffer.from('{"third":true}'));
    expect(
      await repository.record({
        raws: [{ envelope: third, outcome: 'normalized' as const, reason: null }],
        events: [event(a, third, 'wamid.A')],
        deadLetters: [],
      }),
    ).toEqual([]);
    const rows: { id: string; raw_id: string; message_id: string | null; event: unknown }[] =
      await dataSource.query(
        `SELECT id, raw_id, message_id, event FROM canonical_events WHERE id = ANY($1::uuid[])`,
        [[a, b]],
      );
    expect(rows).toHaveLength(2);
    const rowA = rows.find((r) => r.id === a)!;
    expect(rowA).toMatchObject({ raw_id: first.id, message_id: 'wamid.A' });
    expect(rowA.event).toEqual(JSON.parse(batch.events[0]!.json));
    expect(rows.find((r) => r.id === b)!.message_id).toBeNull();
  });

  it('publishes each event once when two consumers record it at the same time', async () => {
    // given the same 200 events introduced by two raw webhooks, recorded concurrently
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const raws = [envelope(Buffer.from('{"x":1}')), envelope(Buffer.from('{"x":2}'))];
    const batches = raws.map((raw) => ({
      raws: [{ envelope: raw, outcome: 'normalized' as const, reason: null }],
      events: ids.map((id) => event(id, raw, null)),
      deadLetters: [],
    }));

    // when
    const [one, two] = await Promise.all(batches.map((b) => repository.record(b)));

    // then every event is published by exactly the raw webhook whose row was stored
    const owners: { id: string; raw_id: string }[] = await dataSource.query(
      `SELECT id, raw_id FROM canonical_events WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const publishedBy = new Map([...one!, ...two!].map((e) => [e.event.id, e.rawId]));
    expect([...one!, ...two!]).toHaveLength(200);
    for (const o of owners) expect(publishedBy.get(o.id)).toBe(o.raw_id);
  });

  it('publishes an event another transaction of the same raw webhook stored while this one ran', async () => {
    // given another consumer of the same raw webhook (a zombie after a rebalance) that has
    // inserted one of its events and not committed yet
    const raw = envelope(Buffer.from('{"zombie":true}'));
    const [mine, theirs] = [event(randomUUID(), raw, null), event(randomUUID(), raw, null)];
    const other = dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    await other.query(
      `INSERT INTO canonical_events (id, raw_id, type, topic, business_id, occurred_at, event)
       VALUES ($1, $2, 'whatsapp.message.received', 'messages', 'biz_acme', now(), $3::jsonb)`,
      [theirs.event.id, raw.id, theirs.json],
    );

    // when this consumer records the batch, which waits on that row, and the other commits
    const recording = repository.record({
      raws: [{ envelope: raw, outcome: 'normalized' as const, reason: null }],
      events: [mine, theirs],
      deadLetters: [],
    });
    const backend = (await other.query('SELECT pg_backend_pid() AS pid'))[0].pid;
    for (let waiting = false; !waiting;) {
      const rows: unknown[] = await dataSource.query(
        `SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`,
        [backend],
      );
      waiting = rows.length > 0;
    }
    await other.commitTransaction();
    await other.release();

    // then both events are published: the row it found stored belongs to the same raw webhook
    expect((await recording).map((e) => e.event.id)).toEqual([mine.event.id, theirs.event.id]);
  });
});
