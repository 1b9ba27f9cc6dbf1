import { randomUUID } from 'node:crypto';
import { type CloudEvent, examples } from '@switchboard/contracts';
import { SubscriptionsUnderTest } from '../../test/subscriptions-app';
import type { CreatedBusiness } from '../businesses/businesses.schemas';
import type { EventList } from './events.schemas';

interface ErrorBody {
  error: { code: string; message: string };
}

describe("inbound events from the normalizer's audit log (real PostgreSQL)", () => {
  const service = new SubscriptionsUnderTest();
  let a: CreatedBusiness;
  let b: CreatedBusiness;

  function event(business: CreatedBusiness, type: string, topic: string, time: string): CloudEvent {
    return {
      ...structuredClone(examples.CloudEvent),
      id: randomUUID(),
      businessid: business.id,
      type,
      topic,
      time,
    } as CloudEvent;
  }

  function list(query = '', business = a) {
    return service.request<EventList & ErrorBody>({
      method: 'GET',
      url: `/v1/businesses/${business.id}/events${query}`,
      headers: { 'x-api-key': business.apiKey.key },
    });
  }

  beforeAll(async () => {
    await service.start();
    const create = async () =>
      (
        await service.request<CreatedBusiness>({
          method: 'POST',
          url: '/v1/businesses',
          headers: service.operator(),
          payload: {},
        })
      ).body;
    a = await create();
    b = await create();
  });
  afterAll(() => service.stop());

  it('answers 503 while the normalizer has not created its log', async () => {
    const res = await list();
    expect(res.statusCode).toBe(503);
    expect(res.body.error.code).toBe('events_unavailable');
  });

  describe('with the log', () => {
    const events: CloudEvent[] = [];

    beforeAll(async () => {
      // the normalizer's table, as its migration creates it, with events of two businesses
      await service.query(`CREATE SCHEMA IF NOT EXISTS normalizer`);
      await service.query(`
        CREATE TABLE normalizer.canonical_events (
          id uuid PRIMARY KEY, raw_id uuid NOT NULL, type text NOT NULL, topic text NOT NULL,
          business_id text NOT NULL, message_id text, occurred_at timestamptz NOT NULL,
          event jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
      events.push(
        event(a, 'whatsapp.message.received', 'messages', '2026-03-10T10:00:00Z'),
        event(a, 'whatsapp.message.status_updated', 'delivery_status', '2026-03-10T11:00:00Z'),
        event(a, 'platform.campaign.started', 'platform', '2026-03-10T12:00:00Z'),
        event(a, 'platform.campaign.completed', 'platform', '2026-03-10T13:00:00Z'),
        event(b, 'whatsapp.message.received', 'messages', '2026-03-10T12:30:00Z'),
      );
      for (const e of events) {
        await service.query(
          `INSERT INTO normalizer.canonical_events
             (id, raw_id, type, topic, business_id, message_id, occurred_at, event)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            e.id,
            randomUUID(),
            e.type,
            e.topic,
            e.businessid,
            e.type === 'whatsapp.message.received' ? `wamid.${e.businessid}` : null,
            e.time,
            JSON.stringify(e),
          ],
        );
      }
    });

    it("lists the business's events newest first, as published", async () => {
      const res = await list();
      expect(res.statusCode).toBe(200);
      expect(res.body.items).toEqual([events[3], events[2], events[1], events[0]]);
      expect(res.body.nextCursor).toBeNull();
    });

    it('filters by topic, type, family and time, and pages', async () => {
      const ids = async (query: string) => (await list(query)).body.items.map((e) => e.id);
      expect(await ids('?topic=messages')).toEqual([events[0]!.id]);
      expect(await ids('?type=whatsapp.message.status_updated')).toEqual([events[1]!.id]);
      expect(await ids('?type=platform.campaign.*')).toEqual([events[3]!.id, events[2]!.id]);
      expect(await ids(`?messageId=wamid.${a.id}`)).toEqual([events[0]!.id]);
      expect(await ids('?since=2026-03-10T11:00:00Z&until=2026-03-10T13:00:00Z')).toEqual([
        events[2]!.id,
        events[1]!.id,
      ]);
      const first = await list('?limit=3');
      expect(first.body.items).toHaveLength(3);
      const rest = await list(`?limit=3&cursor=${first.body.nextCursor}`);
      expect(rest.body.items.map((e) => e.id)).toEqual([events[0]!.id]);
      expect(rest.body.nextCursor).toBeNull();
    });

    it('keeps businesses apart and validates the query', async () => {
      const cursor = (at: string, id: string) =>
        Buffer.from(JSON.stringify([at, id])).toString('base64url');
      expect((await list('', b)).body.items.map((e) => e.id)).toEqual([events[4]!.id]);
      const foreign = await service.request<ErrorBody>({
        method: 'GET',
        url: `/v1/businesses/${b.id}/events`,
        headers: { 'x-api-key': a.apiKey.key },
      });
      expect(foreign.statusCode).toBe(404);
      for (const [query, message] of [
        ['?type=Message', 'type: must be an event type such as'],
        ['?since=yesterday', 'since: must be a date-time with offset such as'],
        // PostgreSQL has no year 0000 and no offset beyond ±15:59: refused here, not by a query
        ['?since=0000-01-01T00:00:00Z', 'since: must be a date-time with offset such as'],
        ['?until=2026-03-10T13:00:00%2B23:00', 'until: must be a date-time with offset such as'],
        ['?limit=500', 'limit: Too big: expected number to be <=200'],
        ['?cursor=abc', 'cursor: not a cursor this API gave'],
        [`?cursor=${cursor('2026-03-10T12:00:00.000Z', '-'.repeat(36))}`, 'cursor: not a cursor'],
        [`?cursor=${cursor('1 March 2026', events[0]!.id)}`, 'cursor: not a cursor this API gave'],
      ]) {
        const res = await list(query);
        expect({ query, status: res.statusCode, message: res.body.error.message }).toEqual({
          query,
          status: 400,
          message: expect.stringContaining(message!),
        });
      }
    });
  });
});
