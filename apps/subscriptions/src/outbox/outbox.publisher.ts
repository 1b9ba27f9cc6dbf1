import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigTopic } from '@switchboard/contracts';
import { postgresConnection } from '@switchboard/database';
import {
  ProducerFencedError,
  type TransactionalProducer,
  TransactionalProducers,
  TopicNames,
} from '@switchboard/kafka';
import { Counter, Gauge, Registry } from 'prom-client';
import { Client } from 'pg';
import { errorMessage, InjectConfig } from '@switchboard/service-kit';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { OUTBOX_CHANNEL, OUTBOX_PUBLISHER_LOCK, OutboxRepository } from './outbox.repository';

export type PublisherState = 'starting' | 'standby' | 'active' | 'stopped';

const MAX_BACKOFF_MS = 10_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const KEEP_PUBLISHED_HOURS = 24;

/**
 * The transactional outbox, publisher side. Exactly one instance publishes at a time: the one
 * holding a session advisory lock (the others wait in standby and take over when its connection
 * ends). It publishes unpublished rows in sequence (= commit) order to the compacted config topic
 * and marks them only once Kafka acknowledged every one, so a crash at any point loses nothing:
 * rows are published again (at least once; consumers apply records by version). A failed round
 * is retried whole, and the next round starts only after the previous one was acknowledged, so
 * the last record on the topic for each key is always its latest change.
 *
 * Each round is one Kafka transaction under a transactional id all instances share: the instance
 * that takes the lock over fences the previous one at Kafka before it publishes anything, so a
 * publisher that lost its lock (its connection cut while a round was in flight) cannot put an
 * older record on the topic after its successor's newer one.
 */
@Injectable()
export class OutboxPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxPublisher.name);
  private readonly topic: string;
  private readonly published: Counter;
  private readonly activeGauge: Gauge;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private session: Client | null = null;
  private producer: TransactionalProducer | null = null;
  private readonly transactionalId: string;
  private sessionBroken = false;
  private notified = false;
  private readonly wakers = new Set<() => void>();
  private lastPrune = 0;
  state: PublisherState = 'starting';

  constructor(
    @InjectConfig() private readonly config: SubscriptionsConfig,
    private readonly outbox: OutboxRepository,
    private readonly producers: TransactionalProducers,
    topics: TopicNames,
    registry: Registry,
  ) {
    this.topic = topics.name(ConfigTopic);
    this.transactionalId = `${this.topic}.outbox-publisher`;
    this.published = new Counter({
      name: 'subscriptions_outbox_published_total',
      help: 'Config records published from the outbox and acknowledged by Kafka',
      registers: [registry],
    });
    this.activeGauge = new Gauge({
      name: 'subscriptions_outbox_publisher_active',
      help: '1 while this instance is the active outbox publisher',
      registers: [registry],
    });
    const repository = this.outbox;
    new Gauge({
      name: 'subscriptions_outbox_backlog',
      help: 'Config changes committed but not yet published to the config topic',
      registers: [registry],
      async collect() {
        // While PostgreSQL does not answer, the last figure stays (the scrape still succeeds).
        const rows = await repository.backlog().catch(() => undefined);
        if (rows !== undefined) this.set(rows);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wakeUp();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.lead();
        failures = 0;
      } catch (err) {
        failures += 1;
        this.logger.warn({ err: errorMessage(err) }, 'Outbox publisher session failed; retrying');
      } finally {
        await this.endSession();
      }
      if (this.running) await this.sleep(backoff(this.config.OUTBOX_POLL_INTERVAL_MS, failures));
    }
    this.state = 'stopped';
  }

  /** Waits for the publisher lock, then publishes until stopped or the session breaks. */
  private async lead(): Promise<void> {
    const client = new Client({
      ...postgresConnection(this.config),
      connectionTimeoutMillis: 5_000,
    });
    this.session = client;
    this.sessionBroken = false;
    client.on('error', (err) => {
      this.sessionBroken = true;
      this.logger.warn({ err: err.message }, 'Outbox publisher connection lost');
      this.wakeUp();
    });
    client.on('notification', () => this.wakeUp());
    await client.connect();
    while (this.running && !this.sessionBroken) {
      const result = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [OUTBOX_PUBLISHER_LOCK],
      );
      if (result.rows[0]?.locked) break;
      this.state = 'standby';
      await this.sleep(this.config.OUTBOX_POLL_INTERVAL_MS);
    }
    if (!this.running || this.sessionBroken) return;
    // Fences the previous holder of the lock at Kafka before anything is published.
    this.producer = this.producers.create(this.transactionalId);
    await this.producer.start();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.state = 'active';
    this.activeGauge.set(1);
    this.logger.log('Outbox publisher active');
    let failures = 0;
    while (this.running && !this.sessionBroken) {
      // The lock lives as long as this connection: check it still stands before each round.
      await client.query('SELECT 1');
      let count: number;
      try {
        count = await this.publishRound();
        failures = 0;
      } catch (err) {
        // A successor took over at Kafka: this session is over (standby, contending again).
        if (err instanceof ProducerFencedError) throw err;
        failures += 1;
        this.logger.warn(
          { err: errorMessage(err), failures },
          'Outbox round not acknowledged; retrying it',
        );
        await this.sleep(backoff(this.config.OUTBOX_POLL_INTERVAL_MS, failures));
        continue;
      }
      if (count < this.config.OUTBOX_BATCH_SIZE) {
        await this.maybePrune();
        await this.sleep(this.config.OUTBOX_POLL_INTERVAL_MS);
      }
    }
  }

  /** Publishes the oldest unpublished rows; resolves with how many, once all are acknowledged. */
  private async publishRound(): Promise<number> {
    const rows = await this.outbox.pending(this.config.OUTBOX_BATCH_SIZE);
    if (rows.length === 0) return 0;
    await this.producer!.publishRecords(
      ConfigTopic,
      rows.map((row) => ({ key: row.configKey, value: row.value })),
    );
    await this.outbox.markPublished(rows.map((r) => r.seq));
    this.published.inc(rows.length);
    return rows.length;
  }

  private async maybePrune(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.outbox.prune(KEEP_PUBLISHED_HOURS);
  }

  private async endSession(): Promise<void> {
    const client = this.session;
    this.session = null;
    const producer = this.producer;
    this.producer = null;
    await producer?.stop().catch(() => undefined);
    this.activeGauge.set(0);
    if (this.state === 'active') this.state = 'standby';
    // Ending the connection releases the advisory lock for the next publisher.
    await client?.end().catch(() => undefined);
  }

  private wakeUp(): void {
    this.notified = true;
    for (const wake of this.wakers) wake();
  }

  /** Sleeps up to `ms`, or less when a notification or shutdown arrives. */
  private sleep(ms: number): Promise<void> {
    if (this.notified || !this.running) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        this.notified = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}

function backoff(baseMs: number, failures: number): number {
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(failures, 10));
}
