import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One replay of a raw webhook through the mappers and what came of it: part of the audit log. */
@Entity({ name: 'replays' })
@Index('replays_raw_id_idx', ['rawId', 'replayedAt'])
export class ReplayEntity {
  /** The replay command's id: a command consumed twice is recorded once. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'request_id' })
  requestId!: string;

  @Column('uuid', { name: 'raw_id' })
  rawId!: string;

  /** `published` (every item normalized), `partial` or `dead_lettered`. */
  @Column('text')
  outcome!: string;

  @Column('integer', { name: 'events_produced' })
  eventsProduced!: number;

  /** Events new to the log, hence published by this replay. */
  @Column('integer', { name: 'events_published' })
  eventsPublished!: number;

  @Column('integer', { name: 'dead_letters' })
  deadLetters!: number;

  @Column('timestamptz', { name: 'requested_at' })
  requestedAt!: Date;

  @Column('timestamptz', { name: 'replayed_at' })
  replayedAt!: Date;

  @Column('timestamptz', { name: 'recorded_at', default: () => 'now()' })
  recordedAt!: Date;
}
