import type { DeliveryOutcome, SubscriptionTopic } from '@switchboard/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One delivery attempt, as the delivery service announced it. */
@Entity({ name: 'delivery_attempts' })
@Index('delivery_attempts_delivery_id_idx', ['deliveryId', 'attempt'])
@Index('delivery_attempts_subscription_time_idx', ['subscriptionId', 'attemptedAt'])
export class DeliveryAttemptEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { name: 'delivery_id' })
  deliveryId!: string;

  @Column('text', { name: 'event_id' })
  eventId!: string;

  @Column('text', { name: 'event_type' })
  eventType!: string;

  @Column('text', { name: 'business_id' })
  businessId!: string;

  @Column('text', { name: 'subscription_id' })
  subscriptionId!: string;

  @Column('text')
  topic!: SubscriptionTopic;

  @Column('integer')
  attempt!: number;

  @Column('timestamptz', { name: 'attempted_at' })
  attemptedAt!: Date;

  @Column('text')
  outcome!: DeliveryOutcome;

  @Column('integer', { name: 'status_code', nullable: true })
  statusCode!: number | null;

  @Column('double precision', { name: 'latency_ms' })
  latencyMs!: number;

  @Column('text', { nullable: true })
  error!: string | null;

  @Column('text', { name: 'response_body', nullable: true })
  responseBody!: string | null;

  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt!: Date | null;

  @Column('timestamptz', { name: 'recorded_at', default: () => 'now()' })
  recordedAt!: Date;
}

/** The latest state of one delivery (one event to one subscription). */
@Entity({ name: 'deliveries' })
@Index('deliveries_business_time_idx', ['businessId', 'lastAttemptAt', 'id'])
export class DeliveryEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'business_id' })
  businessId!: string;

  @Column('text', { name: 'subscription_id' })
  subscriptionId!: string;

  @Column('text')
  topic!: SubscriptionTopic;

  @Column('text', { name: 'event_id' })
  eventId!: string;

  @Column('text', { name: 'event_type' })
  eventType!: string;

  @Column('integer')
  attempts!: number;

  @Column('text')
  outcome!: DeliveryOutcome;

  @Column('integer', { name: 'status_code', nullable: true })
  statusCode!: number | null;

  @Column('text', { nullable: true })
  error!: string | null;

  @Column('timestamptz', { name: 'first_attempt_at' })
  firstAttemptAt!: Date;

  @Column('timestamptz', { name: 'last_attempt_at' })
  lastAttemptAt!: Date;

  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt!: Date | null;
}

/** A subscription's last announced health (`subscription.failing`, `.disabled`, `.recovered`). */
@Entity({ name: 'subscription_health' })
export class SubscriptionHealthEntity {
  @PrimaryColumn('text', { name: 'subscription_id' })
  subscriptionId!: string;

  @Column('text', { name: 'business_id' })
  businessId!: string;

  @Column('text')
  topic!: SubscriptionTopic;

  /** `failing`, `disabled` or `healthy` (after `subscription.recovered`). */
  @Column('text')
  status!: 'healthy' | 'failing' | 'disabled';

  @Column('integer', { name: 'consecutive_failures' })
  consecutiveFailures!: number;

  @Column('text')
  reason!: string;

  @Column('timestamptz', { name: 'changed_at' })
  changedAt!: Date;

  @Column('uuid', { name: 'event_id' })
  eventId!: string;
}
