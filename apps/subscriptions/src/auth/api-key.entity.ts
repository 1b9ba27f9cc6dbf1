import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BusinessEntity } from '../businesses/business.entity';

/** A business API key, kept only as its SHA-256 and a short display prefix. */
@Entity({ name: 'api_keys' })
@Index('api_keys_key_sha256_key', ['keySha256'], { unique: true })
@Index('api_keys_business_id_idx', ['businessId'])
export class ApiKeyEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'business_id' })
  businessId!: string;

  @ManyToOne(() => BusinessEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'business_id', foreignKeyConstraintName: 'api_keys_business_id_fkey' })
  business?: BusinessEntity;

  /** The first characters of the key (`sk_AbC123`): enough to tell keys apart, useless to an attacker. */
  @Column('text')
  prefix!: string;

  @Column('bytea', { name: 'key_sha256' })
  keySha256!: Buffer;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
