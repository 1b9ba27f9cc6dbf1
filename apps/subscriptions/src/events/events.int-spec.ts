import { randomUUID } from 'node:crypto';
import { type CloudEvent, examples } from '@switchboard/contracts';
import { createAuditViews, insertAuditRow } from '../../test/audit-views';
import { SubscriptionsUnderTest } from '../../test/subscriptions-app';
import type { CreatedBusiness } from '../businesses/businesses.schemas';
import { signCursor } from '../common/cursor';
import type { EventList } from './events.schemas';

interface ErrorBody {
  error: { code: string; message: string };
}

describe("inbound events from the normalizer's audit views (real PostgreSQL)", () => {
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
    const create = async () => await service.createBusiness({});
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
    const rawId = randomUUID();

    beforeAll(async () => {
      // the normalizer's audit views, as its contract has them, with events of two businesses
      await createAuditViews(service);
      events.push(
        event(a, 'whatsapp.message.received', 'messages', '2026-03-10T10:00:00Z'),
        event(a, 'whatsapp.message.status_updated', 'delivery_status', '2026-03-10T11:00:00Z'),
        event(a, 'platform.campaign.started', 'platform', '2026-03-10T12:00:00Z'),
        event(a, 'platform.campaign.completed', 'platform', '2026-03-10T13:00:00Z'),
        event(b, 'whatsapp.message.received', 'messages', '2026-03-10T12:30:00Z'),
      );
      for (const [i, e] of events.entries()) {
        await insertAuditRow(service, 'audit.events_v1', {
          id: e.id,
          raw_id: i < 2 ? rawId : randomUUID(),
          business_id: e.businessid,
          type: e.type,
          topic: e.topic,
          message_id: e.type === 'whatsapp.message.received' ? `wamid.${e.businessid}` : null,
          contact_phone: e.topic === 'platform' ? null : `1650555${i}`,
          occurred_at: e.time,
          event: JSON.stringify(e),
        });
      }
      await insertAuditRow(service, 'audit.raw_webhooks_v1', {
        id: rawId,
        business_id: a.id,
        source_id: 'src_meta',
        provider: 'meta',
        environment: 'production',
        received_at: '2026-03-10T11:00:01Z',
        content_type: 'application/json',
        body: Buffer.from('{"object":"whatsapp_business_account","entry":[]}'),
        outcome: 'normalized',
      });
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

    it('searches by event id, message id and phone number', async () => {
      const ids = async (query: string) => (await list(query)).body.items.map((e) => e.id);
      // by event id, by phone (with or without +), and q matching any of the three
      expect(await ids(`?eventId=${events[2]!.id}`)).toEqual([events[2]!.id]);
      expect(await ids('?phone=%2B16505551')).toEqual([events[1]!.id]);
      expect(await ids('?phone=16505550')).toEqual([events[0]!.id]);
      expect(await ids(`?q=${events[3]!.id}`)).toEqual([events[3]!.id]);
      expect(await ids(`?q=wamid.${a.id}`)).toEqual([events[0]!.id]);
      expect(await ids('?q=16505551')).toEqual([events[1]!.id]);
      expect(await ids('?q=nothing-like-it')).toEqual([]);
      // another business's event is not found by id
      expect(await ids(`?eventId=${events[4]!.id}`)).toEqual([]);
    });

    it('gives the raw webhook an event came from, beside the events it became', async () => {
      const res = await service.request<Record<string, unknown> & ErrorBody>({
        method: 'GET',
        url: `/v1/businesses/${a.id}/events/${events[1]!.id}/raw-webhook`,
        headers: { 'x-api-key': a.apiKey.key },
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toEqual({
        id: rawId,
        sourceId: 'src_meta',
        provider: 'meta',
        environment: 'production',
        receivedAt: '2026-03-10T11:00:01.000Z',
        contentType: 'application/json',
        bodyEncoding: 'utf8',
        body: '{"object":"whatsapp_business_account","entry":[]}',
        outcome: 'normalized',
        events: [events[0], events[1]],
      });
      // another business's event, or no event at all, is not found
      for (const [business, id] of [
        [b, events[1]!.id],
        [a, events[4]!.id],
        [a, 'not-an-id'],
      ] as const) {
        const other = await service.request<ErrorBody>({
          method: 'GET',
          url: `/v1/businesses/${business.id}/events/${id}/raw-webhook`,
          headers: { 'x-api-key': business.apiKey.key },
        });
        expect({ id, status: other.statusCode }).toEqual({ id, status: 404 });
      }
    });

    it('keeps businesses apart and validates the query', async () => {
      // signed with the service's key, yet positions the API never writes for events
      const cursor = (at: string, id: string) =>
        signCursor(service.config.cursorKey, 'events', [at, id]);
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
        ['?since=2026-03-10T13:00:00Z&until=2026-03-10T12:00:00Z', 'until: must be after since'],
        ['?limit=500', 'limit: Too big: expected number to be <=200'],
        ['?eventId=evt_1', 'eventId: must be an event id (a UUID)'],
        ['?phone=abc', 'phone: must be a phone number'],
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
