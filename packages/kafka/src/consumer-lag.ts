import type { Kafka } from 'kafkajs';

/** How far one consumer group is behind on one partition, as of its last batch. */
export interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** Records on the partition after the last one the group was handed. */
  readonly lag: number;
}

/**
 * The consumer lag of every batch consumer on one Kafka client, per group and partition, as the
 * broker reported it with each fetched batch (high watermark less the batch's last offset, less
 * one). A stopped consumer's partitions are forgotten, so only live members report.
 */
export class ConsumerLag {
  private readonly lags = new Map<string, PartitionLag>();

  record(group: string, topic: string, partition: number, lag: number): void {
    if (!Number.isFinite(lag)) return;
    this.lags.set(`${group}\u0000${topic}\u0000${partition}`, {
      group,
      topic,
      partition,
      lag: Math.max(0, lag),
    });
  }

  /** Drops what a group reported (it stopped, or lost its partitions in a rebalance). */
  forget(group: string): void {
    for (const [key, entry] of this.lags) if (entry.group === group) this.lags.delete(key);
  }

  entries(): PartitionLag[] {
    return [...this.lags.values()];
  }

  /** The group's lag summed over its partitions (0 when it reported none). */
  total(group: string): number {
    let sum = 0;
    for (const entry of this.lags.values()) if (entry.group === group) sum += entry.lag;
    return sum;
  }
}

const lagByClient = new WeakMap<Kafka, ConsumerLag>();

/** The lag tracker shared by every consumer of one Kafka client. */
export function consumerLag(kafka: Kafka): ConsumerLag {
  let lag = lagByClient.get(kafka);
  if (!lag) {
    lag = new ConsumerLag();
    lagByClient.set(kafka, lag);
  }
  return lag;
}
