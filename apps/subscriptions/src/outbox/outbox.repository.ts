import { Injectable } from '@nestjs/common';
import type { ConfigRecord } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { OutboxEntity } from './outbox.entity';

/** Writers take this transaction-scoped advisory lock first, so outbox order is commit order. */
export const OUTBOX_WRITE_LOCK = 7_301_001;
/** The one active publisher holds this session advisory lock. */
export const OUTBOX_PUBLISHER_LOCK = 7_301_002;
/** Writers notify this channel on commit; the publisher listens. */
export const OUTBOX_CHANNEL = 'subscriptions_outbox';

export interface PendingRow {
  seq: number;
  configKey: string;
  value: ConfigRecord | null;
}

/** Persists outbox rows; reads and marks them for the publisher. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Serialises config writers until the transaction ends. */
  async lockWriters(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock($1)`, [OUTBOX_WRITE_LOCK]);
  }

  async nextVersion(manager: EntityManager): Promise<number> {
    const rows: { version: string }[] = await manager.query(
      `SELECT nextval('config_versions') AS version`,
    );
    return Number(rows[0]!.version);
  }

  async append(
    manager: EntityManager,
    configKey: string,
    value: ConfigRecord | null,
  ): Promise<void> {
    await manager.insert(OutboxEntity, { configKey, value });
    await manager.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
  }

  /** The oldest unpublished rows, in commit order. */
  async pending(limit: number): Promise<PendingRow[]> {
    const rows: { seq: string; config_key: string; value: ConfigRecord | null }[] =
      await this.dataSource.query(
        `SELECT seq, config_key, value FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [limit],
      );
    return rows.map((r) => ({ seq: Number(r.seq), configKey: r.config_key, value: r.value }));
  }

  async markPublished(seqs: readonly number[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])`,
      [seqs],
    );
  }

  /** Rows still waiting for Kafka. */
  async backlog(): Promise<number> {
    const rows: { count: string }[] = await this.dataSource.query(
      `SELECT count(*) AS count FROM outbox WHERE published_at IS NULL`,
    );
    return Number(rows[0]!.count);
  }

  /** Removes published rows older than `olderThanHours`; the topic is the record of them. */
  async prune(olderThanHours: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM outbox WHERE published_at IS NOT NULL
         AND published_at < now() - make_interval(hours => $1)`,
      [olderThanHours],
    );
  }
}
