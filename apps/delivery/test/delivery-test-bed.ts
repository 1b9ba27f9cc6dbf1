import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  type CloudEvent,
  ConfigTopic,
  configKey,
  type DeliveryAttempt,
  DeliveryAttemptsTopic,
  type DeliveryCommand,
  DeliveryCommandsTopic,
  encode,
  encodeMessage,
  publicTopic,
  type SubscriptionHealthEvent,
  SubscriptionEventsTopic,
  type SubscriptionRecord,
  SubscriptionTopic,
} from '@switchboard/contracts';
import { createService, loadConfig, ReadinessService } from '@switchboard/service-kit';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  eventually,
  type TestDatabase,
  testDataKeys,
  testKafka,
  testKafkaBrokers,
  uniqueName,
} from '@switchboard/testing';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { DeliveryConfig } from '../src/config/delivery.config';
import { SubscriptionRegistry } from '../src/subscriptions/subscription-registry';

/** Settings that make retries quick enough for tests (delays are a tenth of the seconds given). */
export const FAST_RETRIES: Record<string, string> = {
  ALLOW_HTTP_ADDRESSES: 'true',
  ADDRESS_ALLOWLIST: '127.0.0.1/32',
  RETRY_SCHEDULE_SCALE: '0.1',
  RETRY_JITTER: '0',
  SCHEDULER_INTERVAL_MS: '100',
  FAILING_AFTER_FAILURES: '3',
  SUBSCRIPTION_CONCURRENCY: '4',
  SUBSCRIPTION_QUEUE_LIMIT: '4',
  ATTEMPT_LEASE_MARGIN_MS: '1000',
  SHUTDOWN_TIMEOUT_MS: '6000',
};

export interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  state: string;
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
}

/**
 * A delivery test bed on the real broker and database: its own topic prefix, consumer group and
 * database; observes the attempts and subscription events topics. The service can run in this
 * process (`startApp`) or as the built `dist/main.js` (see `environment`).
 */
export class DeliveryTestBed {
  readonly prefix = `${uniqueName('delivery')}.`;
  readonly groupId = uniqueName('delivery-group');
  readonly kafka: Kafka = testKafka();
  readonly attempts: DeliveryAttempt[] = [];
  readonly healthEvents: SubscriptionHealthEvent[] = [];
  database!: TestDatabase;
  private db!: Client;
  private producer!: Producer;
  private readonly consumers: Consumer[] = [];

  async setUp(): Promise<void> {
    this.database = await createTestDatabase('delivery');
    this.db = new Client({ connectionString: this.database.url });
    await this.db.connect();
    this.producer = this.kafka.producer();
    await this.producer.connect();
  }

  /** The service's environment for this bed. */
  environment(env: Record<string, string> = {}): Record<string, string> {
    return {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: this.prefix,
      DATABASE_URL: this.database.url,
      DATA_KEYS: testDataKeys(),
      CONSUMER_GROUP_ID: this.groupId,
      LOG_LEVEL: 'error',
      ...FAST_RETRIES,
      ...env,
    };
  }

  /** Starts the service in this process and waits until it reports ready. */
  async startApp(env: Record<string, string> = {}): Promise<NestFastifyApplication> {
    const config = loadConfig('delivery', DeliveryConfig, this.environment(env));
    const app = await createService(AppModule.forRoot(config), {});
    await app.init();
    const readiness = app.get(ReadinessService);
    await eventually(async () => ((await readiness.report()).ready ? true : undefined), {
      timeoutMs: 60_000,
      what: 'delivery ready',
    });
    return app;
  }

  topic(definition: { name: string }): string {
    return `${this.prefix}${definition.name}`;
  }

  /** Follows the attempts and subscription events topics from their beginning. */
  async follow(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: uniqueName('observer'), maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({
      topics: [this.topic(DeliveryAttemptsTopic), this.topic(SubscriptionEventsTopic)],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const value = JSON.parse(message.value!.toString()) as unknown;
        if (topic === this.topic(DeliveryAttemptsTopic))
          this.attempts.push(value as DeliveryAttempt);
        else this.healthEvents.push(value as SubscriptionHealthEvent);
      },
    });
    this.consumers.push(consumer);
  }

  /** Publishes subscription records to the config topic. */
  async publishSubscriptions(...records: SubscriptionRecord[]): Promise<void> {
    await this.producer.send({
      topic: this.topic(ConfigTopic),
      messages: records.map((r) => ({ key: configKey(r), value: encode(ConfigTopic, r) })),
    });
  }

  /** Publishes subscription records and waits until the in-process app holds them. */
  async applySubscriptions(
    app: NestFastifyApplication,
    ...records: SubscriptionRecord[]
  ): Promise<void> {
    await this.publishSubscriptions(...records);
    const registry = app.get(SubscriptionRegistry);
    await eventually(
      () =>
        records.every((r) => registry.get(r.id)?.record.version === r.version) ? true : undefined,
      { what: 'subscriptions applied by delivery' },
    );
  }

  /** Publishes canonical events to their public topics, as the normalizer would. */
  async publishEvents(...events: CloudEvent[]): Promise<void> {
    for (const topic of SubscriptionTopic.options) {
      const mine = events.filter((e) => e.topic === topic);
      if (mine.length === 0) continue;
      await this.producer.send({
        topic: this.topic(publicTopic(topic)),
        messages: mine.map((e) => encodeMessage(publicTopic(topic), e)),
      });
    }
  }

  async publishCommand(command: DeliveryCommand): Promise<void> {
    await this.producer.send({
      topic: this.topic(DeliveryCommandsTopic),
      messages: [encodeMessage(DeliveryCommandsTopic, command)],
    });
  }

  attemptsOf(subscriptionId: string): DeliveryAttempt[] {
    return this.attempts.filter((a) => a.subscriptionId === subscriptionId);
  }

  async waitForAttempts(
    subscriptionId: string,
    count: number,
    timeoutMs = 20_000,
  ): Promise<DeliveryAttempt[]> {
    return eventually(
      () => {
        const got = this.attemptsOf(subscriptionId);
        return got.length >= count ? got : undefined;
      },
      { timeoutMs, what: `${count} attempt(s) to ${subscriptionId}` },
    );
  }

  async deliveries(subscriptionId: string): Promise<DeliveryRow[]> {
    const result = await this.db.query<DeliveryRow>(
      `SELECT id, subscription_id, event_id, state, attempts, next_attempt_at, last_status_code,
              last_error
       FROM delivery.deliveries WHERE subscription_id = $1 ORDER BY created_at, event_id`,
      [subscriptionId],
    );
    return result.rows;
  }

  /** Runs a statement on the bed's database (e.g. to make the service's writes fail). */
  async query<T extends object = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }

  /** Waits until the delivery group has committed every event published so far. */
  async waitCommitted(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await eventually(
        async () => {
          for (const topic of SubscriptionTopic.options) {
            const name = this.topic(publicTopic(topic));
            const ends = await admin.fetchTopicOffsets(name);
            const [committed] = await admin.fetchOffsets({ groupId: this.groupId, topics: [name] });
            const done = ends.every((end) => {
              const c = committed?.partitions.find((p) => p.partition === end.partition);
              return (
                BigInt(end.high) === 0n || (c !== undefined && BigInt(c.offset) >= BigInt(end.high))
              );
            });
            if (!done) return undefined;
          }
          return true;
        },
        { timeoutMs: 30_000, what: 'public topics committed by delivery' },
      );
    } finally {
      await admin.disconnect();
    }
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.disconnect()));
    await this.producer?.disconnect();
    await this.db?.end();
    await this.database?.drop();
    await deleteTopicsWithPrefix(this.kafka, this.prefix);
  }
}
