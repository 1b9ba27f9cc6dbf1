import { eventually } from '@switchboard/testing';
import {
  itemBody,
  publishOutboundDeadLetter,
  seedDeadLetters,
  type SeededDeadLetters,
  sentCommands,
  wholeBody,
} from '../../test/dead-letters-fixture';
import { insertAuditRow } from '../../test/audit-views';
import { SubscriptionsUnderTest } from '../../test/subscriptions-app';
import type { CreatedBusiness } from '../businesses/businesses.schemas';
import { DeadLettersController } from './dead-letters.controller';

type Body = Record<string, unknown> & {
  items: Record<string, unknown>[];
  nextCursor: string | null;
  error: { code: string; message: string };
};

describe(DeadLettersController.name, () => {
  const service = new SubscriptionsUnderTest();
  let a: CreatedBusiness;
  let b: CreatedBusiness;
  let seeded: SeededDeadLetters;

  function call(method: 'GET' | 'POST', path: string, business = a, payload?: unknown) {
    return service.request<Body>({
      method,
      url: `/v1/businesses/${business.id}${path}`,
      headers: { 'x-api-key': business.apiKey.key },
      payload,
    });
  }

  const commands = () => sentCommands(service);

  beforeAll(async () => {
    await service.start();
    const create = async () => await service.createBusiness({});
    a = await create();
    b = await create();
  });

  afterAll(() => service.stop());

  it('answers 503 while the normalizer has not created its audit views', async () => {
    const res = await call('GET', '/inbound-dead-letters');
    expect(res.statusCode).toBe(503);
    expect(res.body.error.code).toBe('dead_letters_unavailable');
  });

  describe('inbound, with the audit views', () => {
    beforeAll(async () => {
      seeded = await seedDeadLetters(service, a.id, b.id);
    });

    it("lists the business's dead letters newest first, with their replay state, and pages", async () => {
      const res = await call('GET', '/inbound-dead-letters');
      expect(res.statusCode).toBe(200);
      expect(res.body.items).toEqual([
        {
          id: seeded.item.id,
          reason: {
            code: 'payload_schema_violation',
            message: 'statuses[3].status is not a string',
          },
          failedAt: '2026-03-10T11:00:01.000Z',
          provider: 'connectly',
          sourceId: 'src_connectly',
          rawWebhookId: seeded.item.rawId,
          receivedAt: '2026-03-10T11:00:00.000Z',
          pointer: '/entry/0/changes/0/value/statuses/3',
          replayState: 'never_replayed',
          lastReplay: null,
        },
        expect.objectContaining({
          id: seeded.whole.id,
          reason: { code: 'too_many_events', message: 'the webhook holds 6 events' },
          pointer: null,
          replayState: 'replayed',
          lastReplay: {
            requestId: seeded.replayRequestId,
            outcome: 'published',
            eventsProduced: 6,
            eventsPublished: 6,
            deadLetters: 0,
            replayedAt: '2026-03-10T12:00:00.000Z',
          },
        }),
      ]);
      const ids = async (query: string) =>
        (await call('GET', `/inbound-dead-letters${query}`)).body.items.map((d) => d.id);
      expect(await ids('?provider=meta')).toEqual([seeded.whole.id]);
      expect(await ids('?reason=payload_schema_violation')).toEqual([seeded.item.id]);
      expect(await ids('?since=2026-03-10T10:30:00Z')).toEqual([seeded.item.id]);
      expect(await ids('?until=2026-03-10T10:30:00Z')).toEqual([seeded.whole.id]);
      const first = await call('GET', '/inbound-dead-letters?limit=1');
      expect(first.body.items.map((d) => d.id)).toEqual([seeded.item.id]);
      const rest = await call(
        'GET',
        `/inbound-dead-letters?limit=1&cursor=${first.body.nextCursor}`,
      );
      expect(rest.body.items.map((d) => d.id)).toEqual([seeded.whole.id]);
      expect(rest.body.nextCursor).toBeNull();
    });

    it('gives one dead letter with the raw body as received: text when UTF-8 JSON, else base64', async () => {
      const whole = await call('GET', `/inbound-dead-letters/${seeded.whole.id}`);
      expect(whole.statusCode).toBe(200);
      expect(whole.body).toMatchObject({
        id: seeded.whole.id,
        issues: [],
        item: null,
        contentType: 'application/json',
        bodyEncoding: 'utf8',
        body: wholeBody,
        replayState: 'replayed',
      });
      const item = await call('GET', `/inbound-dead-letters/${seeded.item.id}`);
      expect(item.body).toMatchObject({
        pointer: '/entry/0/changes/0/value/statuses/3',
        issues: [{ path: ['status'], message: 'Expected string', code: 'invalid_type' }],
        item: { id: 'wamid.X', status: 7 },
        bodyEncoding: 'base64',
        body: itemBody.toString('base64'),
      });
    });

    it('keeps businesses apart and refuses bad queries', async () => {
      expect((await call('GET', '/inbound-dead-letters', b)).body.items.map((d) => d.id)).toEqual([
        seeded.other.id,
      ]);
      for (const path of [
        `/inbound-dead-letters/${seeded.other.id}`,
        '/inbound-dead-letters/not-a-uuid',
      ]) {
        expect({ path, status: (await call('GET', path)).statusCode }).toEqual({
          path,
          status: 404,
        });
      }
      const foreign = await service.request<Body>({
        method: 'GET',
        url: `/v1/businesses/${b.id}/inbound-dead-letters`,
        headers: { 'x-api-key': a.apiKey.key },
      });
      expect(foreign.statusCode).toBe(404);
      for (const [query, message] of [
        ['?since=yesterday', 'since: must be a date-time with offset'],
        ['?since=2026-03-10T13:00:00Z&until=2026-03-10T13:00:00Z', 'until: must be after since'],
        ['?cursor=abc', 'cursor: not a cursor this API gave'],
        ['?reason=bad', 'reason: must be one of'],
        ['?provider=telegram', 'provider: must be one of'],
      ]) {
        const res = await call('GET', `/inbound-dead-letters${query}`);
        expect({ query, status: res.statusCode, message: res.body.error.message }).toEqual({
          query,
          status: 400,
          message: expect.stringContaining(message!),
        });
      }
    });

    it('replays one dead letter: 202 and a replay command for its raw webhook', async () => {
      const res = await call('POST', `/inbound-dead-letters/${seeded.item.id}/replay`);
      expect(res.statusCode).toBe(202);
      expect(res.body).toEqual({ requestId: expect.any(String), rawWebhooks: 1 });
      const sent = (await commands()).filter((c) => c.requestId === res.body.requestId);
      expect(sent).toEqual([
        expect.objectContaining({
          key: seeded.item.rawId,
          type: 'replay',
          businessId: a.id,
          rawId: seeded.item.rawId,
        }),
      ]);
      expect(
        (await call('POST', `/inbound-dead-letters/${seeded.other.id}/replay`)).statusCode,
      ).toBe(404);
    });

    it('replays a time range, one command per raw webhook, at most 1,000 per call', async () => {
      const res = await call('POST', '/inbound-dead-letters/replay', a, {
        since: '2026-03-10T00:00:00Z',
        until: '2026-03-11T00:00:00Z',
      });
      expect(res.statusCode).toBe(202);
      expect(res.body.rawWebhooks).toBe(2);
      const sent = (await commands()).filter((c) => c.requestId === res.body.requestId);
      expect(sent.map((c) => c.rawId).sort()).toEqual(
        [seeded.whole.rawId, seeded.item.rawId].sort(),
      );

      for (const [payload, message] of [
        [
          { since: '2026-03-11T00:00:00Z', until: '2026-03-10T00:00:00Z' },
          'until: must be after since',
        ],
        [{ since: 'yesterday', until: '2026-03-10T00:00:00Z' }, 'since: must be a date-time'],
        [{ since: '2026-03-10T00:00:00Z' }, 'until:'],
      ] as const) {
        const bad = await call('POST', '/inbound-dead-letters/replay', a, payload);
        expect({ status: bad.statusCode, message: bad.body.error.message }).toEqual({
          status: 400,
          message: expect.stringContaining(message),
        });
      }

      // given 1,001 raw webhooks dead-lettered on one day, that day is too many for one call
      await service.query(
        `INSERT INTO audit.dead_letters_v1 (id, business_id, raw_id, failed_at)
         SELECT gen_random_uuid(), $1, gen_random_uuid(), '2026-04-01T12:00:00Z'
         FROM generate_series(1, 1001)`,
        [a.id],
      );
      const before = (await commands()).length;
      const tooMany = await call('POST', '/inbound-dead-letters/replay', a, {
        since: '2026-04-01T00:00:00Z',
        until: '2026-04-02T00:00:00Z',
      });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.body.error.message).toContain('more than 1000 raw webhooks');
      expect(await commands()).toHaveLength(before);
    });

    it('reads replay outcomes back from the audit log', async () => {
      // given the normalizer recorded a replay of the item's raw webhook that dead-lettered again
      await insertAuditRow(service, 'audit.replays_v1', {
        id: '00000000-0000-4000-8000-000000000001',
        request_id: '00000000-0000-4000-8000-000000000002',
        business_id: a.id,
        raw_id: seeded.item.rawId,
        outcome: 'partial',
        events_produced: 3,
        events_published: 3,
        dead_letters: 1,
        replayed_at: '2026-03-10T13:00:00Z',
      });
      const res = await call('GET', `/inbound-dead-letters/${seeded.item.id}`);
      expect(res.body).toMatchObject({
        replayState: 'replayed',
        lastReplay: {
          requestId: '00000000-0000-4000-8000-000000000002',
          outcome: 'partial',
          eventsProduced: 3,
          eventsPublished: 3,
          deadLetters: 1,
          replayedAt: '2026-03-10T13:00:00.000Z',
        },
      });
    });
  });

  describe('outbound', () => {
    it('lists and gets dead-lettered deliveries with the inbound field names, per business', async () => {
      // given a subscription with one dead-lettered and one succeeded delivery, and another's
      const subscriptionId = 'sub_a_messages';
      await publishOutboundDeadLetter(service, a.id, subscriptionId, 'dlv_dead', 'dead_lettered');
      await publishOutboundDeadLetter(service, a.id, subscriptionId, 'dlv_ok', 'succeeded');
      await publishOutboundDeadLetter(service, b.id, 'sub_b', 'dlv_b', 'dead_lettered');
      await eventually(
        async () => ((await call('GET', '/deliveries')).body.items.length === 2 ? true : undefined),
        { what: 'the deliveries in the log' },
      );

      // then only the dead-lettered one is listed, as a dead letter
      const list = await call('GET', '/outbound-dead-letters');
      expect(list.statusCode).toBe(200);
      expect(list.body).toEqual({
        items: [
          {
            id: 'dlv_dead',
            reason: { code: 'delivery_failed', message: 'HTTP 503' },
            failedAt: expect.any(String),
            subscriptionId,
            topic: 'messages',
            eventId: 'evt_dlv_dead',
            eventType: 'whatsapp.message.received',
            attemptCount: 12,
            statusCode: 503,
            firstAttemptAt: expect.any(String),
          },
        ],
        nextCursor: null,
      });
      expect((await call('GET', '/outbound-dead-letters/dlv_dead')).body).toEqual(
        list.body.items[0],
      );
      for (const id of ['dlv_ok', 'dlv_b']) {
        expect((await call('GET', `/outbound-dead-letters/${id}`)).statusCode).toBe(404);
      }
      expect((await call('GET', '/outbound-dead-letters?topic=calls')).body.items).toEqual([]);
      expect((await call('GET', '/outbound-dead-letters?cursor=abc')).statusCode).toBe(400);
    });
  });
});
