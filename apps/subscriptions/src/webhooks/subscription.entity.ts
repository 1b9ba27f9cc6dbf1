import type {
  SubscriptionConfiguration,
  SubscriptionState,
  SubscriptionTopic,
  WebhookSecret,
} from '@switchboard/contracts';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BusinessEntity } from '../businesses/business.entity';
import { bigintAsNumber } from '../common/columns';

/** Settings of a registration made in a provider's shape, kept as given (secrets sealed). */
export interface ProviderSettings {
  connectly?: {
    type: string;
    webengageConfiguration?: { webengageToken?: string; webengageWebhookUrl?: string };
  };
}

/** One webhook subscription: one address per business and topic; published as a `SubscriptionRecord`. */
@Entity({ name: 'subscriptions' })
@Index('subscriptions_business_id_topic_key', ['businessId', 'topic'], { unique: true })
export class SubscriptionEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'business_id' })
  businessId!: string;

  @ManyToOne(() => BusinessEntity)
  @JoinColumn({ name: 'business_id', foreignKeyConstraintName: 'subscriptions_business_id_fkey' })
  business?: BusinessEntity;

  @Column('text')
  topic!: SubscriptionTopic;

  @Column('text')
  address!: string;

  @Column('text')
  state!: SubscriptionState;

  @Column('jsonb')
  configuration!: SubscriptionConfiguration;

  @Column('jsonb')
  secrets!: WebhookSecret[];

  /**
   * What a provider-shaped registration carried that Switchboard keeps without acting on (a
   * Connectly registration's `type` and WebEngage configuration, its token sealed); null if none.
   */
  @Column('jsonb', { name: 'provider_settings', nullable: true })
  providerSettings!: ProviderSettings | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('bigint', { transformer: bigintAsNumber })
  version!: number;
}
