import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A business: owns API keys, sources and webhook subscriptions. */
@Entity({ name: 'businesses' })
export class BusinessEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { nullable: true })
  name!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
