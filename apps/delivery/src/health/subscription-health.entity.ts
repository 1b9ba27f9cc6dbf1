import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EndpointState } from './endpoint-health';

/** One subscription endpoint's health: survives restarts, so "days without success" holds. */
@Entity({ name: 'subscription_health' })
export class SubscriptionHealthEntity {
  @PrimaryColumn('text', { name: 'subscription_id' })
  subscriptionId!: string;

  @Column('text', { name: 'business_id' })
  businessId!: string;

  @Column('text')
  topic!: string;

  @Column('text')
  state!: EndpointState;

  @Column('integer', { name: 'consecutive_failures', default: 0 })
  consecutiveFailures!: number;

  @Column('timestamptz', { name: 'first_failure_at', nullable: true })
  firstFailureAt!: Date | null;

  @Column('timestamptz', { name: 'last_failure_at', nullable: true })
  lastFailureAt!: Date | null;

  @Column('timestamptz', { name: 'last_success_at', nullable: true })
  lastSuccessAt!: Date | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('integer', { name: 'disabled_version', nullable: true })
  disabledVersion!: number | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
