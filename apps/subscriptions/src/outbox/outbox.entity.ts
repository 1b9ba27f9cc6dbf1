import type { ConfigRecord } from '@switchboard/contracts';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One change to publish on the compacted config topic, written in the same transaction as the
 * change itself. `seq` orders rows in commit order (writers serialise on an advisory lock).
 */
@Entity({ name: 'outbox' })
@Index('outbox_unpublished_idx', ['seq'], { where: 'published_at IS NULL' })
export class OutboxEntity {
  /** A bigint: pg hands it over as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  /** `configKey(record)`: `source:<id>` or `subscription:<businessId>:<topic>`. */
  @Column('text', { name: 'config_key' })
  configKey!: string;

  /** The full record; null is a tombstone (the key was deleted). */
  @Column('jsonb', { nullable: true })
  value!: ConfigRecord | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  /** Set only once Kafka acknowledged the record. */
  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt!: Date | null;
}
