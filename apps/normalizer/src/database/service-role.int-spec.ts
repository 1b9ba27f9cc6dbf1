import { randomUUID } from 'node:crypto';
import {
  ensureServiceRole,
  migrateSchema,
  openServiceConnection,
  serviceRole,
} from '@switchboard/database';
import { useTestDatabase } from '@switchboard/testing';
import type { DataSource } from 'typeorm';
import { normalizerMigrations } from './migrations';

describe("the normalizer's schema under each service's role", () => {
  const database = useTestDatabase('normalizer_roles');

  beforeAll(async () => {
    await migrateSchema({
      url: database.url,
      schema: 'normalizer',
      migrations: normalizerMigrations,
    });
    // The delivery service's role: its migrations, which create it, run in another database here.
    await ensureServiceRole(database.client, serviceRole('delivery'));
  });

  /** A service's connection as DatabaseModule.forService opens it: its schema, as its role. */
  const connectAs = (schema: string): Promise<DataSource> =>
    database.closeWithIt(openServiceConnection(database.url, schema));

  /** Records one raw webhook and one event of it, as the normalizer does; returns the ids stored. */
  async function record(normalizer: DataSource): Promise<{ rawId: string; eventId: string }> {
    const rawId = randomUUID();
    const eventId = randomUUID();
    const raws: { id: string }[] = await normalizer.query(
      `INSERT INTO raw_webhooks
         (id, source_id, business_id, provider, environment, received_at, content_type, headers,
          body, body_sha256, outcome)
       VALUES ($1, 'src_1', 'biz_1', 'meta', 'production', now(), 'application/json', '{}',
               $2, 'abc', 'normalized')
       ON CONFLICT DO NOTHING RETURNING id`,
      [rawId, Buffer.from('{"object":"whatsapp_business_account"}')],
    );
    const events: { id: string }[] = await normalizer.query(
      `INSERT INTO canonical_events (id, raw_id, type, topic, business_id, occurred_at, event)
       VALUES ($1, $2, 'whatsapp.message.received', 'messages', 'biz_1', now(), '{}')
       ON CONFLICT DO NOTHING RETURNING id`,
      [eventId, rawId],
    );
    return { rawId: raws[0]!.id, eventId: events[0]!.id };
  }

  it("the normalizer's connection adds to its audit log and reads it, but changes no row of it nor the migration history", async () => {
    // given the normalizer's connection
    const normalizer = await connectAs('normalizer');

    // when it records a raw webhook and its event, then both are stored and readable
    const { rawId, eventId } = await record(normalizer);
    await expect(
      normalizer.query(`SELECT id FROM canonical_events WHERE raw_id = $1`, [rawId]),
    ).resolves.toEqual([{ id: eventId }]);

    // but updating or deleting a row is refused by privileges, before the triggers are reached
    await expect(
      normalizer.query(`UPDATE raw_webhooks SET outcome = 'x' WHERE id = $1`, [rawId]),
    ).rejects.toThrow('permission denied for table raw_webhooks');
    await expect(
      normalizer.query(`DELETE FROM canonical_events WHERE id = $1`, [eventId]),
    ).rejects.toThrow('permission denied for table canonical_events');
    await expect(normalizer.query(`DELETE FROM migrations`)).rejects.toThrow(
      'permission denied for table migrations',
    );
  });

  it("the subscriptions service's connection reads the audit views, and nothing behind them", async () => {
    // given an event the normalizer recorded, and the subscriptions service's connection
    const { rawId, eventId } = await record(await connectAs('normalizer'));
    const subscriptions = await connectAs('subscriptions');

    // when it reads the documented views, then it sees the event and its raw webhook
    await expect(
      subscriptions.query(`SELECT id, business_id FROM audit.events_v1 WHERE id = $1`, [eventId]),
    ).resolves.toEqual([{ id: eventId, business_id: 'biz_1' }]);
    await expect(
      subscriptions.query(`SELECT outcome FROM audit.raw_webhooks_v1 WHERE id = $1`, [rawId]),
    ).resolves.toEqual([{ outcome: 'normalized' }]);

    // but the tables behind them are out of reach, and the views cannot be written through
    await expect(subscriptions.query(`SELECT id FROM normalizer.canonical_events`)).rejects.toThrow(
      'permission denied for schema normalizer',
    );
    await expect(
      subscriptions.query(`DELETE FROM audit.raw_webhooks_v1 WHERE id = $1`, [rawId]),
    ).rejects.toThrow('permission denied for view raw_webhooks_v1');
  });

  it("the delivery service's connection reaches nothing of the normalizer's", async () => {
    // given the delivery service's connection
    const delivery = await connectAs('delivery');

    // when it reads the audit log or its views, then it is refused
    await expect(delivery.query(`SELECT id FROM normalizer.raw_webhooks`)).rejects.toThrow(
      'permission denied for schema normalizer',
    );
    await expect(delivery.query(`SELECT id FROM audit.events_v1`)).rejects.toThrow(
      'permission denied for schema audit',
    );
  });
});
