import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { errorMessage } from '@switchboard/service-kit';
import type { Consumer, Kafka } from 'kafkajs';
import { retryTransient } from './retry-transient';
import { IDLE_FETCH_WAIT_MS } from './batch.consumer';
import {
  ConsumerSupervisor,
  type ConsumerStatus,
  defaultRestartPolicy,
  type RestartPolicy,
} from './consumer.supervisor';

export interface CompactedTopicReaderOptions {
  topic: string;
  /** Prefix of the private consumer group; every instance reads the whole topic. */
  groupIdPrefix: string;
  /** Called for every record in offset order per partition; `value` is null for a tombstone. */
  onRecord(key: string, value: Buffer | null): void;
  /** How a crashed consumer is restarted (see {@link defaultRestartPolicy}). */
  restart?: Partial<RestartPolicy>;
}

/**
 * Reads a compacted topic from its beginning into memory and keeps following it: the way ingress
 * and delivery hold sources and subscriptions without reading a database per request.
 * `caughtUp` resolves once every partition has been read up to the end it had at start, which is
 * what readiness waits for. Each reader uses a private consumer group (every instance reads the
 * whole topic), commits nothing, and deletes its group when it stops. A crashed consumer is
 * restarted from where it had read (see {@link ConsumerSupervisor}), never from the beginning,
 * so the view never steps back to older values.
 */
export class CompactedTopicReader {
  private readonly logger: Logger;
  private readonly groupId: string;
  private readonly supervisor: ConsumerSupervisor;
  private readonly targets = new Map<number, bigint>();
  /** The next offset to read per partition: where a restarted consumer resumes. */
  private readonly positions = new Map<number, string>();
  private consumer: Consumer | null = null;
  private resolveCaughtUp!: () => void;
  private rejectCaughtUp!: (err: Error) => void;
  private caught = false;
  private following = false;
  readonly caughtUp: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: CompactedTopicReaderOptions,
  ) {
    this.logger = new Logger(`CompactedTopicReader:${options.topic}`);
    this.groupId = `${options.groupIdPrefix}-${hostname()}-${randomBytes(4).toString('hex')}`;
    this.supervisor = new ConsumerSupervisor(
      kafka,
      `reader:${options.topic}`,
      {
        create: () => this.createConsumer(),
        run: (consumer, restart) => this.run(consumer, restart),
      },
      { ...defaultRestartPolicy, ...options.restart },
    );
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

  /** Running, restarting after a crash, or dead (gave up restarting), with its restart count. */
  get status(): ConsumerStatus {
    return this.supervisor.status;
  }

  /** Starts reading; rejects, with nothing left connected, when the topic cannot be read. */
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
    try {
      await this.supervisor.start();
    } catch (err) {
      await this.deleteGroup();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const started = this.supervisor.isActive;
    this.following = false;
    if (!this.caught) this.rejectCaughtUp(new Error('Reader stopped before catching up'));
    await this.supervisor.stop();
    if (started) await this.deleteGroup();
  }

  private createConsumer(): Consumer {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      maxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
      allowAutoTopicCreation: false,
      // The supervisor restarts a crashed consumer (with backoff), kafkajs does not.
      retry: { restartOnFailure: async () => false },
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.consumer === consumer) this.following = true;
    });
    consumer.on(consumer.events.CRASH, () => {
      if (this.consumer === consumer) this.following = false;
    });
    // A batch's last offset counts control records too (the commit markers of a transactional
    // writer), which are never handed to eachBatch: a partition whose last record is one is read
    // to its end once the batch holding it is.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (this.consumer !== consumer || payload.topic !== this.options.topic) return;
      this.advance(payload.partition, BigInt(payload.lastOffset));
    });
    this.consumer = consumer;
    return consumer;
  }

  private async run(consumer: Consumer, restart: boolean): Promise<void> {
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, isStale }) => {
        if (isStale()) return;
        for (const message of batch.messages) {
          const key = message.key?.toString() ?? '';
          try {
            this.options.onRecord(key, message.value);
          } catch (err) {
            this.logger.error(
              {
                err: errorMessage(err),
                key,
                offset: message.offset,
              },
              'Config record could not be applied; skipped',
            );
          }
          resolveOffset(message.offset);
          this.positions.set(batch.partition, (BigInt(message.offset) + 1n).toString());
          const target = this.targets.get(batch.partition);
          if (target !== undefined && BigInt(message.offset) >= target) {
            this.targets.delete(batch.partition);
          }
        }
        this.checkCaughtUp();
      },
    });
    if (!restart) return;
    // Nothing is committed: a restarted consumer would read from the beginning and apply older
    // values again before newer ones; it continues where the last one stopped instead.
    for (const [partition, offset] of this.positions) {
      consumer.seek({ topic: this.options.topic, partition, offset });
    }
  }

  /** Everything of the partition up to `lastOffset` has been read. */
  private advance(partition: number, lastOffset: bigint): void {
    const position = lastOffset + 1n;
    if (position > BigInt(this.positions.get(partition) ?? '0')) {
      this.positions.set(partition, position.toString());
    }
    const target = this.targets.get(partition);
    if (target !== undefined && lastOffset >= target) this.targets.delete(partition);
    this.checkCaughtUp();
  }

  /**
   * The private group holds no offsets, so the broker would drop it in time anyway; deleting it
   * at stop keeps restarts from piling up empty groups until then.
   */
  private async deleteGroup(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch (err) {
      this.logger.warn(
        { groupId: this.groupId, err: errorMessage(err) },
        'Reader consumer group could not be deleted; the broker expires it',
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private checkCaughtUp(): void {
    if (!this.caught && this.targets.size === 0) {
      this.caught = true;
      this.resolveCaughtUp();
    }
  }
}
