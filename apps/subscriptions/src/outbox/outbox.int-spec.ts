import type { ConfigRecord } from '@switchboard/contracts';
import { eventually } from '@switchboard/testing';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  type ConfigMessage,
  latestByKey,
  SubscriptionsUnderTest,
} from '../../test/subscriptions-app';
import type { CreatedBusiness } from '../businesses/businesses.schemas';
import { SourceEntity } from '../sources/source.entity';
import type { CreatedSource } from '../sources/sources.schemas';
import { sourceRecord } from '../sources/sources.service';
import { SubscriptionEntity } from '../webhooks/subscription.entity';
import { subscriptionRecord } from '../webhooks/webhooks.service';
import { OUTBOX_PUBLISHER_LOCK } from './outbox.repository';
import { OutboxPublisher } from './outbox.publisher';

describe('transactional outbox to the compacted config topic (real PostgreSQL and Kafka)', () => {
  const service = new SubscriptionsUnderTest();
  let business: CreatedBusiness;
  let base: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    await service.start();
    business = await service.createBusiness({ name: 'Outbox Co' });
    base = `/v1/businesses/${business.id}`;
    headers = { 'x-api-key': business.apiKey.key };
  });
  afterAll(() => service.stop());

  async function call(method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
    const res = await service.request<Record<string, unknown>>({
      method,
      url: `${base}${url}`,
      headers,
      payload,
    });
    expect({
      method,
      url,
      status: res.statusCode,
      body: res.statusCode < 300 ? null : res.body,
    }).toEqual({
      method,
      url,
      status: expect.any(Number),
      body: null,
    });
    return res.body;
  }

  /** Makes one change of every kind; returns the source it deleted. */
  async function changeEverything(tag: string): Promise<void> {
    const meta = (await call('POST', '/sources', {
      provider: 'meta',
      appSecret: `app-secret-${tag}-1`,
    })) as CreatedSource;
    const standard = (await call('POST', '/sources', { provider: 'standard' })) as CreatedSource;
    await call('PATCH', `/sources/${meta.id}`, { enabled: false });
    await call('POST', `/sources/${meta.id}/rotate-secret`, { secret: `app-secret-${tag}-2` });
    await call('DELETE', `/sources/${standard.id}`);
    await call('POST', '/webhooks', { topic: 'messages', address: `https://127.0.0.1/${tag}/1` });
    await call('POST', '/webhooks', { topic: 'templates', address: `https://127.0.0.1/${tag}/2` });
    await call('POST', '/webhooks', { topic: 'messages', address: `https://127.0.0.1/${tag}/3` });
    await call('PATCH', '/webhooks/messages', { state: 'disabled' });
    await call('POST', '/webhooks/messages/rotate-secret', { graceSeconds: 60 });
    await call('DELETE', '/webhooks/templates');
  }

  async function unpublished(): Promise<number> {
    const rows = await service.query<{ count: string }>(
      `SELECT count(*) AS count FROM outbox WHERE published_at IS NULL`,
    );
    return Number(rows[0]!.count);
  }

  async function allPublished(): Promise<void> {
    await eventually(async () => ((await unpublished()) === 0 ? true : undefined), {
      what: 'every outbox row published',
    });
  }

  /** What the database holds now, as config records keyed like the topic. */
  async function databaseState(): Promise<Map<string, ConfigRecord>> {
    const dataSource = service.app.get(DataSource);
    const state = new Map<string, ConfigRecord>();
    for (const s of await dataSource.getRepository(SourceEntity).find()) {
      state.set(`source:${s.id}`, sourceRecord(s));
    }
    for (const s of await dataSource.getRepository(SubscriptionEntity).find()) {
      state.set(`subscription:${s.businessId}:${s.topic}`, subscriptionRecord(s));
    }
    return state;
  }

  /** The outbox in sequence order: key and version (null for a tombstone). */
  async function outboxOrder(): Promise<{ key: string; version: number | null }[]> {
    const rows = await service.query<{ config_key: string; version: string | null }>(
      `SELECT config_key, value->>'version' AS version FROM outbox ORDER BY seq`,
    );
    return rows.map((r) => ({
      key: r.config_key,
      version: r.version === null ? null : Number(r.version),
    }));
  }

  /** Per partition, the topic holds the outbox rows of that partition's keys in sequence order. */
  function expectCommitOrder(
    messages: ConfigMessage[],
    order: { key: string; version: number | null }[],
  ): void {
    const partitions = new Set(messages.map((m) => m.partition));
    for (const partition of partitions) {
      const onTopic = messages
        .filter((m) => m.partition === partition)
        .map((m) => ({ key: m.key, version: m.record?.version ?? null }));
      const keys = new Set(onTopic.map((m) => m.key));
      expect(onTopic).toEqual(order.filter((o) => keys.has(o.key)));
    }
    // and every key's versions increase along the topic
    const last = new Map<string, number>();
    for (const m of messages) {
      if (m.record === null) continue;
      expect(m.record.version).toBeGreaterThan(last.get(m.key) ?? 0);
      last.set(m.key, m.record.version);
    }
  }

  it('publishes every change in commit order; the topic reads back into the database state', async () => {
    // given changes of every kind: create, update, rotate, replace, delete
    await changeEverything('a');

    // when the publisher has caught up
    await allPublished();
    const messages = await service.readConfigTopic();

    // then the topic holds one message per outbox row, in commit order, tombstones for deletions
    const order = await outboxOrder();
    expect(messages).toHaveLength(order.length);
    expectCommitOrder(messages, order);
    expect(messages.filter((m) => m.record === null).map((m) => m.key)).toEqual(
      expect.arrayContaining([`subscription:${business.id}:templates`]),
    );

    // and a reader of the compacted topic ends with exactly what the database holds
    expect(latestByKey(messages)).toEqual(await databaseState());
    expect(service.app.get(OutboxPublisher).state).toBe('active');
  });

  it('loses nothing when the service stops between commit and publish', async () => {
    // given an instance whose publisher cannot run: another session holds the publisher lock,
    // as a hung publisher would
    await service.close();
    const holder = new Client({ connectionString: service.database.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [OUTBOX_PUBLISHER_LOCK]);
      await service.start();
      await eventually(
        () => (service.app.get(OutboxPublisher).state === 'standby' ? true : undefined),
        {
          what: 'the publisher in standby',
        },
      );
      const before = (await service.readConfigTopic()).length;

      // when changes are committed, then they wait in the outbox and not on the topic
      await changeEverything('b');
      const waiting = await unpublished();
      expect(waiting).toBe(11);
      await new Promise((r) => setTimeout(r, 500));
      expect(await unpublished()).toBe(waiting);
      expect(await service.readConfigTopic()).toHaveLength(before);
      // (and /metrics shows them as the outbox backlog)
      const backlog = await service.app
        .get(Registry)
        .getSingleMetric('subscriptions_outbox_backlog')!
        .get();
      expect(backlog.values[0]?.value).toBe(waiting);

      // when the instance goes away with them unpublished, and the lock is free again
      await service.close();
    } finally {
      await holder.end();
    }

    // then the next instance publishes all of them, in commit order, on start
    await service.start();
    await allPublished();
    const messages = await service.readConfigTopic();
    const order = await outboxOrder();
    expect(messages).toHaveLength(order.length);
    expectCommitOrder(messages, order);
    expect(latestByKey(messages)).toEqual(await databaseState());
  });

  it('keeps one active publisher: a second instance on the same database stands by', async () => {
    // given a second instance on the same database and topics
    const second = new SubscriptionsUnderTest();
    Object.assign(second, { database: service.database, prefix: service.prefix });
    await second.start();
    try {
      // then it stands by while the first publishes
      await eventually(
        () => (second.app.get(OutboxPublisher).state === 'standby' ? true : undefined),
        {
          what: 'the second publisher in standby',
        },
      );
      expect(service.app.get(OutboxPublisher).state).toBe('active');

      // and changes made through the second are published by the first
      await second.request({
        method: 'POST',
        url: `${base}/webhooks`,
        headers,
        payload: { topic: 'calls', address: 'https://127.0.0.1/calls' },
      });
      await allPublished();
      const messages = await service.readConfigTopic();
      expect(latestByKey(messages).get(`subscription:${business.id}:calls`)).toEqual(
        expect.objectContaining({ topic: 'calls', address: 'https://127.0.0.1/calls' }),
      );

      // when the first stops, then the second takes over
      await service.close();
      await eventually(
        () => (second.app.get(OutboxPublisher).state === 'active' ? true : undefined),
        {
          what: 'the second publisher active',
        },
      );
    } finally {
      await second.close();
      await service.start();
    }
  });
});
