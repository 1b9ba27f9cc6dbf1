import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every canonical event, once, under its deterministic id: the inbound audit log's second half. */
@Entity({ name: 'canonical_events' })
@Index('canonical_events_message_id_idx', ['messageId'])
@Index('canonical_events_business_time_idx', ['businessId', 'occurredAt'])
@Index('canonical_events_raw_id_idx', ['rawId'])
export class CanonicalEventEntity {
  /** Deterministic: derived from provider, kind and natural key. */
  @PrimaryColumn('uuid')
  id!: string;

  /** The raw webhook that first introduced this event. */
  @Column('uuid', { name: 'raw_id' })
  rawId!: string;

  @Column('text')
  type!: string;

  @Column('text')
  topic!: string;

  @Column('text', { name: 'business_id' })
  businessId!: string;

  /** The provider's message id (wamid) where the event concerns one message. */
  @Column('text', { name: 'message_id', nullable: true })
  messageId!: string | null;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;

  /** The whole CloudEvent as published. */
  @Column('jsonb')
  event!: Record<string, unknown>;

  @Column('timestamptz', { name: 'recorded_at', default: () => 'now()' })
  recordedAt!: Date;
}
