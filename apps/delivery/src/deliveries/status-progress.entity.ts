import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The furthest status delivered so far of one message (wamid) to one subscription that keeps
 * statuses monotonic: a status ranked below it is suppressed. Kept for
 * `STATUS_PROGRESS_RETENTION_HOURS` after its last change.
 */
@Entity({ name: 'status_progress' })
@Index('status_progress_updated_idx', ['updatedAt'])
export class StatusProgressEntity {
  @PrimaryColumn('text', { name: 'subscription_id' })
  subscriptionId!: string;

  @PrimaryColumn('text', { name: 'message_id' })
  messageId!: string;

  @Column('smallint')
  rank!: number;

  /** The status delivered with that rank (`read`, ...), for the suppression's reason. */
  @Column('text')
  status!: string;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
