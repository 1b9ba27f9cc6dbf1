import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Where a delivery stands. `failed` ends a test delivery, which is never retried; `suppressed`
 * ends a status that was not sent because a later one of its message was delivered already.
 */
export type DeliveryState = 'pending' | 'succeeded' | 'failed' | 'dead_lettered' | 'suppressed';

/**
 * One event to one subscription, under a deterministic id (UUIDv5 of subscription and event), so
 * a redelivered event finds its delivery instead of making a second one. While `pending`, it is
 * due at `next_attempt_at`, which a claimed delivery pushes out by its lease.
 */
@Entity({ name: 'deliveries' })
@Index('deliveries_due_idx', ['nextAttemptAt'], { where: `state = 'pending'` })
@Index('deliveries_dead_lettered_idx', ['subscriptionId', 'updatedAt'], {
  where: `state = 'dead_lettered'`,
})
@Index('deliveries_finished_idx', ['state', 'updatedAt'], { where: `state <> 'pending'` })
@Index('deliveries_ordering_idx', ['subscriptionId', 'orderingKey', 'eventTime', 'eventId'], {
  where: `state = 'pending' AND ordering_key IS NOT NULL`,
})
export class DeliveryEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { name: 'subscription_id' })
  subscriptionId!: string;

  @Column('text', { name: 'business_id' })
  businessId!: string;

  @Column('text')
  topic!: string;

  @Column('text', { name: 'event_id' })
  eventId!: string;

  @Column('text', { name: 'event_type' })
  eventType!: string;

  /** The CloudEvent as consumed: the webhook body of every attempt. */
  @Column('text')
  body!: string;

  /** A `webhook.test` delivery: attempted once, never retried, no effect on endpoint health. */
  @Column('boolean', { default: false })
  test!: boolean;

  @Column('text')
  state!: DeliveryState;

  /** Attempts made so far. */
  @Column('integer', { default: 0 })
  attempts!: number;

  /** Attempts made before the current schedule began (a recovery starts the schedule afresh). */
  @Column('integer', { name: 'schedule_base', default: 0 })
  scheduleBase!: number;

  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt!: Date | null;

  @Column('timestamptz', { name: 'last_attempt_at', nullable: true })
  lastAttemptAt!: Date | null;

  @Column('integer', { name: 'last_status_code', nullable: true })
  lastStatusCode!: number | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  /** Ordered subscriptions: the conversation (the event's Kafka key); null when unordered. */
  @Column('text', { name: 'ordering_key', nullable: true })
  orderingKey!: string | null;

  /** Ordered subscriptions: when the event happened, its place in its conversation. */
  @Column('timestamptz', { name: 'event_time', nullable: true })
  eventTime!: Date | null;

  /** Ordered subscriptions: since when this delivery is the one its conversation waits for. */
  @Column('timestamptz', { name: 'head_since', nullable: true })
  headSince!: Date | null;

  /** Subscriptions keeping statuses monotonic: the status's message id (wamid). */
  @Column('text', { name: 'message_id', nullable: true })
  messageId!: string | null;

  /** Subscriptions keeping statuses monotonic: the status's place in the progression. */
  @Column('smallint', { name: 'status_rank', nullable: true })
  statusRank!: number | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
