import { randomUUID } from 'node:crypto';
import { AuditViews } from '@switchboard/contracts';
import { dataSourceOptions } from '@switchboard/database';
import { useMigrationsTestBed } from '@switchboard/testing';
import { DataSource } from 'typeorm';
import { CanonicalEventEntity } from '../audit-log/canonical-event.entity';
import { DeadLetterEntity } from '../audit-log/dead-letter.entity';
import { RawWebhookEntity } from '../audit-log/raw-webhook.entity';
import { ReplayEntity } from '../audit-log/replay.entity';
import { normalizerMigrations } from './migrations';

describe('normalizer migrations', () => {
  const bed = useMigrationsTestBed(
    {
      schema: 'normalizer',
      entities: [RawWebhookEntity, CanonicalEventEntity, DeadLetterEntity, ReplayEntity],
      migrations: normalizerMigrations,
    },
    (options) => new DataSource(dataSourceOptions(options)),
  );

  /** Inserts one raw webhook the way the normalizer does: ON CONFLICT DO NOTHING. */
  async function insertRaw(id: string): Promise<string[]> {
    const rows: { id: string }[] = await bed.dataSource.query(
      `INSERT INTO normalizer.raw_webhooks
         (id, source_id, business_id, provider, environment, received_at, content_type, headers,
          body, body_sha256, outcome)
       VALUES ($1, 'src_1', 'biz_1', 'meta', 'production', now(), 'application/json', '{}',
               $2, 'abc', 'normalized')
       ON CONFLICT DO NOTHING RETURNING id`,
      [id, Buffer.from('{"object":"whatsapp_business_account"}')],
    );
    return rows.map((r) => r.id);
  }

  it('creates the audit log tables in the service schema, matching the entities', async () => {
    // when every pending migration runs on an empty database
    const applied = await bed.dataSource.runMigrations();

    // then the audit tables exist and TypeORM sees no difference from the entities
    expect(applied.map((m) => m.name)).toEqual([
      'AuditLog1763700000000',
      'DeadLetters1763700000001',
      'AuditViews1763700000002',
      'ServiceRole1796300000000',
    ]);
    expect(await bed.tables()).toEqual([
      'canonical_events',
      'dead_letters',
      'migrations',
      'raw_webhooks',
      'replays',
    ]);
    const pending = await bed.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('keeps the log append-only and lets a redelivery insert nothing', async () => {
    // given one stored raw webhook
    const id = randomUUID();
    expect(await insertRaw(id)).toEqual([id]);

    // when the same row is inserted again
    const again = await insertRaw(id);

    // then nothing is inserted, the stored bytes are intact, and updates or deletes are refused
    expect(again).toEqual([]);
    const repo = bed.dataSource.getRepository(RawWebhookEntity);
    const stored = await repo.findOneByOrFail({ id });
    expect(stored.body.toString()).toBe('{"object":"whatsapp_business_account"}');
    await expect(repo.update({ id }, { outcome: 'dead_lettered' })).rejects.toThrow(/append-only/);
    await expect(repo.delete({ id })).rejects.toThrow(/append-only/);
  });

  it('exposes the audit views with exactly the columns of the documented contract', async () => {
    // when the views' columns are read from the catalog
    const rows: { view: string; column_name: string; data_type: string }[] =
      await bed.dataSource.query(
        `SELECT table_schema || '.' || table_name AS view, column_name, data_type
         FROM information_schema.columns WHERE table_schema = 'audit'
         ORDER BY table_name, ordinal_position`,
      );
    const views: Record<string, Record<string, string>> = {};
    for (const r of rows) (views[r.view] ??= {})[r.column_name] = r.data_type;

    // then they are the contract's, names, order and types, and nothing more
    expect(views).toEqual(AuditViews);
    for (const [view, columns] of Object.entries(views)) {
      expect({ view, columns: Object.keys(columns) }).toEqual({
        view,
        columns: Object.keys(AuditViews[view as keyof typeof AuditViews]),
      });
    }
    const kinds: { table_name: string }[] = await bed.dataSource.query(
      `SELECT table_name FROM information_schema.views WHERE table_schema = 'audit' ORDER BY 1`,
    );
    expect(kinds.map((k) => `audit.${k.table_name}`)).toEqual(Object.keys(AuditViews).sort());
  });

  it('records a replay only once and keeps replays append-only', async () => {
    // given a stored raw webhook and one replay of it
    const rawId = randomUUID();
    await insertRaw(rawId);
    const replay = [randomUUID(), randomUUID(), rawId];
    const insert = () =>
      bed.dataSource.query(
        `INSERT INTO normalizer.replays (id, request_id, raw_id, outcome, events_produced,
           events_published, dead_letters, requested_at, replayed_at)
         VALUES ($1, $2, $3, 'published', 2, 2, 0, now(), now())
         ON CONFLICT DO NOTHING RETURNING id`,
        replay,
      );
    expect(await insert()).toHaveLength(1);

    // when the same replay is recorded again
    // then nothing is inserted, and the audit view shows it under the raw webhook's business
    expect(await insert()).toEqual([]);
    const seen: { business_id: string; events_published: number }[] = await bed.dataSource.query(
      `SELECT business_id, events_published FROM audit.replays_v1 WHERE raw_id = $1`,
      [rawId],
    );
    expect(seen).toEqual([{ business_id: 'biz_1', events_published: 2 }]);
    await expect(
      bed.dataSource.query(`DELETE FROM normalizer.replays WHERE raw_id = $1`, [rawId]),
    ).rejects.toThrow(/append-only/);
  });

  it('reverts cleanly and applies again', async () => {
    // when every migration is undone, newest first
    await bed.dataSource.undoLastMigration();
    await bed.dataSource.undoLastMigration();
    expect(await bed.tables()).toEqual([
      'canonical_events',
      'dead_letters',
      'migrations',
      'raw_webhooks',
    ]);
    await bed.dataSource.undoLastMigration();
    expect(await bed.tables()).toEqual(['canonical_events', 'migrations', 'raw_webhooks']);
    await bed.dataSource.undoLastMigration();
    // then the tables are gone
    expect(await bed.tables()).toEqual(['migrations']);
    // and it applies again on top of the reverted schema
    await bed.dataSource.runMigrations();
    expect(await bed.tables()).toEqual([
      'canonical_events',
      'dead_letters',
      'migrations',
      'raw_webhooks',
      'replays',
    ]);
  });
});
