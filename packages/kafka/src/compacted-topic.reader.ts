import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { retryTransient } from './retry-transient';
import { IDLE_FETCH_WAIT_MS } from './batch.consumer';

export interface CompactedTopicReaderOptions {
  topic: string;
  /** Prefix of the private consumer group; every instance reads the whole topic. */
  groupIdPrefix: string;
  /** Called for every record in offset order per partition; `value` is null for a tombstone. */
  onRecord(key: string, value: Buffer | null): void;
}

/**
 * Reads a compacted topic from its beginning into memory and keeps following it: the way ingress
 * and delivery hold sources and subscriptions without reading a database per request.
 * `caughtUp` resolves once every partition has been read up to the end it had at start, which is
 * what readiness waits for. Each instance uses a private consumer group and commits nothing.
 */
export class CompactedTopicReader {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private readonly targets = new Map<number, bigint>();
  private resolveCaughtUp!: () => void;
  private rejectCaughtUp!: (err: Error) => void;
  private caught = false;
  private following = false;
  private stopping = false;
  readonly caughtUp: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: CompactedTopicReaderOptions,
  ) {
    this.logger = new Logger(`CompactedTopicReader:${options.topic}`);
    this.consumer = kafka.consumer({
      groupId: `${options.groupIdPrefix}-${hostname()}-${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
      allowAutoTopicCreation: false,
      // After a crash (e.g. the broker restarting) kafkajs restarts the consumer, unless stopping.
      retry: { restartOnFailure: async () => !this.stopping },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.following = true;
    });
    this.consumer.on(this.consumer.events.CRASH, () => {
      this.following = false;
    });
    this.caughtUp = new Promise<void>((resolve, reject) => {
      this.resolveCaughtUp = resolve;
      this.rejectCaughtUp = reject;
    });
    // Readiness checks await this; an unobserved rejection must not crash the process.
    this.caughtUp.catch(() => undefined);
  }

  get isCaughtUp(): boolean {
    return this.caught;
  }

  /** False while the consumer is down (crashed and not yet restarted): the view may go stale. */
  get isFollowing(): boolean {
    return this.following;
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await retryTransient(() => admin.fetchTopicOffsets(this.options.topic));
      for (const p of offsets) {
        const high = BigInt(p.high);
        if (high > BigInt(p.low)) this.targets.set(p.partition, high - 1n);
      }
    } finally {
      await admin.disconnect();
    }
    this.checkCaughtUp();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        for (const message of batch.messages) {
          const key = message.key?.toString() ?? '';
          try {
            this.options.onRecord(key, message.value);
          } catch (err) {
            this.logger.error(
              {
                err: err instanceof Error ? err.message : String(err),
                key,
                offset: message.offset,
              },
              'Config record could not be applied; skipped',
            );
          }
          resolveOffset(message.offset);
          const target = this.targets.get(batch.partition);
          if (target !== undefined && BigInt(message.offset) >= target) {
            this.targets.delete(batch.partition);
          }
        }
        this.checkCaughtUp();
      },
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.following = false;
    if (!this.caught) this.rejectCaughtUp(new Error('Reader stopped before catching up'));
    await this.consumer.disconnect();
  }

  private checkCaughtUp(): void {
    if (!this.caught && this.targets.size === 0) {
      this.caught = true;
      this.resolveCaughtUp();
    }
  }
}
