import type { Environment, Provider, Secret, SourceVerification } from '@switchboard/contracts';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BusinessEntity } from '../businesses/business.entity';
import { bigintAsNumber } from '../common/columns';

/** A provider account a business connected; published as a `SourceRecord`. */
@Entity({ name: 'sources' })
@Index('sources_business_id_idx', ['businessId'])
export class SourceEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'business_id' })
  businessId!: string;

  @ManyToOne(() => BusinessEntity)
  @JoinColumn({ name: 'business_id', foreignKeyConstraintName: 'sources_business_id_fkey' })
  business?: BusinessEntity;

  @Column('text')
  provider!: Provider;

  @Column('text')
  environment!: Environment;

  @Column('boolean')
  enabled!: boolean;

  /** Verification secrets, values included: ingress needs them to check signatures. */
  @Column('jsonb')
  secrets!: Secret[];

  @Column('text', { name: 'verify_token', nullable: true })
  verifyToken!: string | null;

  /** A static header token instead of the route's scheme (cunnekt); null: the route's scheme. */
  @Column('jsonb', { nullable: true })
  verification!: SourceVerification | null;

  /** One URL for channel webhooks (Meta's format) and platform events alike (Cunnekt). */
  @Column('boolean', { name: 'shared_endpoint', default: false })
  sharedEndpoint!: boolean;

  @Column('jsonb', { name: 'external_ids' })
  externalIds!: { wabaIds: string[]; phoneNumberIds: string[] };

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('bigint', { transformer: bigintAsNumber })
  version!: number;
}
