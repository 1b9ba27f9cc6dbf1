import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A raw record the normalizer could not turn into events, with why: part of the audit log. */
@Entity({ name: 'dead_letters' })
@Index('dead_letters_raw_id_idx', ['rawId'])
@Index('dead_letters_failed_at_idx', ['failedAt'])
export class DeadLetterEntity {
  /** Deterministic: the same raw record always gives the same dead-letter id. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { name: 'raw_id', nullable: true })
  rawId!: string | null;

  @Column('text', { name: 'source_id', nullable: true })
  sourceId!: string | null;

  @Column('text', { name: 'reason_code' })
  reasonCode!: string;

  @Column('text')
  message!: string;

  @Column('jsonb')
  issues!: unknown[];

  /** The whole dead letter as published on the DLQ topic. */
  @Column('jsonb', { name: 'dead_letter' })
  deadLetter!: Record<string, unknown>;

  @Column('timestamptz', { name: 'failed_at' })
  failedAt!: Date;

  @Column('timestamptz', { name: 'recorded_at', default: () => 'now()' })
  recordedAt!: Date;
}
