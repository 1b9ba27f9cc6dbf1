import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every raw webhook ingress stored, exactly as received: the inbound audit log's first half. */
@Entity({ name: 'raw_webhooks' })
@Index('raw_webhooks_business_received_idx', ['businessId', 'receivedAt'])
export class RawWebhookEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { name: 'source_id' })
  sourceId!: string;

  @Column('text', { name: 'business_id' })
  businessId!: string;

  @Column('text')
  provider!: string;

  @Column('text')
  environment!: string;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt!: Date;

  @Column('text', { name: 'content_type' })
  contentType!: string;

  @Column('jsonb')
  headers!: Record<string, string>;

  @Column('bytea')
  body!: Buffer;

  @Column('text', { name: 'body_sha256' })
  bodySha256!: string;

  /** `normalized` or `dead_lettered`. */
  @Column('text')
  outcome!: string;

  /** Why the payload could not be normalized, with the validation issues. */
  @Column('jsonb', { name: 'dead_letter', nullable: true })
  deadLetter!: Record<string, unknown> | null;

  @Column('timestamptz', { name: 'recorded_at', default: () => 'now()' })
  recordedAt!: Date;
}
