import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  type CloudEvent,
  createRawEnvelope,
  type DeadLetter,
  encode,
  encodeMessage,
  InboundDeadLetterTopic,
  InboundRawBulkTopic,
  InboundRawTopic,
  type NormalizerCommand,
  NormalizerCommandsTopic,
  type Provider,
} from '@switchboard/contracts';
import { createService, loadConfig } from '@switchboard/service-kit';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  eventually,
  type TestDatabase,
  testKafka,
  testKafkaBrokers,
  uniqueName,
} from '@switchboard/testing';
import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { NormalizerConfig } from '../src/config/normalizer.config';

export interface PublishedMessage<T> {
  topic: string;
  key: string | null;
  value: T;
  headers: Record<string, string>;
}

type RawEnvelope = ReturnType<typeof createRawEnvelope>;
type RawItem = { provider: Provider; body: Buffer | string; sourceId?: string };

function envelopeOf(item: RawItem): RawEnvelope {
  return createRawEnvelope({
    sourceId: item.sourceId ?? 'src_test',
    businessId: 'biz_acme',
    provider: item.provider,
    environment: 'production',
    contentType: 'application/json',
    body: Buffer.isBuffer(item.body) ? item.body : Buffer.from(item.body),
  });
}

/**
 * A normalizer test bed on the real broker and database: its own topic prefix, consumer group and
 * database. Apps can be started and closed several times to play restarts.
 */
export class NormalizerTestBed {
  readonly prefix = `${uniqueName('normalizer')}.`;
  readonly groupId = uniqueName('normalizer-group');
  readonly kafka: Kafka = testKafka();
  database!: TestDatabase;
  private db!: Client;
  private readonly consumers: Consumer[] = [];
  readonly published: PublishedMessage<CloudEvent>[] = [];
  readonly deadLetters: PublishedMessage<DeadLetter>[] = [];

  async setUp(): Promise<void> {
    this.database = await createTestDatabase('normalizer');
    this.db = new Client({
      connectionString: this.database.url,
      options: '-c search_path=normalizer',
    });
    await this.db.connect();
  }

  async startApp(env: Record<string, string> = {}): Promise<NestFastifyApplication> {
    const config = loadConfig('normalizer', NormalizerConfig, {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: this.prefix,
      DATABASE_URL: this.database.url,
      CONSUMER_GROUP_ID: this.groupId,
      LOG_LEVEL: 'warn',
      ...env,
    });
    return createService(AppModule.forRoot(config), {});
  }

  topic(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** Follows every public topic and the DLQ from the beginning. */
  async follow(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: uniqueName('observer') });
    await consumer.connect();
    const publicTopics = [
      'messages',
      'delivery_status',
      'templates',
      'account',
      'users',
      'flows',
      'calls',
      'platform',
    ];
    await consumer.subscribe({
      topics: [
        ...publicTopics.map((t) => this.topic(`switchboard.${t}.v1`)),
        this.topic(InboundDeadLetterTopic.name),
      ],
      fromBeginning: true,
    });
    // The observer itself reads at least once: a record seen again at the same offset is skipped.
    const seen = new Set<string>();
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const position = `${topic}:${partition}:${message.offset}`;
        if (seen.has(position)) return;
        seen.add(position);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? ({} as IHeaders))) {
          if (v !== undefined) headers[k] = v.toString();
        }
        const entry = {
          topic,
          key: message.key?.toString() ?? null,
          value: JSON.parse(message.value!.toString()),
          headers,
        };
        if (topic.endsWith(InboundDeadLetterTopic.name)) this.deadLetters.push(entry);
        else this.published.push(entry);
      },
    });
    this.consumers.push(consumer);
  }

  /** Writes raw webhooks to the raw topic, as ingress would, and returns their envelopes. */
  async sendRaw(...items: RawItem[]): Promise<RawEnvelope[]> {
    const envelopes = items.map(envelopeOf);
    await this.sendRawBytes(
      ...envelopes.map((e) => ({ key: e.sourceId, value: encode(InboundRawTopic, e) })),
    );
    return envelopes;
  }

  /** Writes raw webhooks to the bulk raw topic, as ingress does with bodies over its bulk size. */
  async sendBulkRaw(...items: RawItem[]): Promise<RawEnvelope[]> {
    const envelopes = items.map(envelopeOf);
    await this.sendTo(
      InboundRawBulkTopic.name,
      envelopes.map((e) => ({ key: e.sourceId, value: encode(InboundRawBulkTopic, e) })),
    );
    return envelopes;
  }

  async sendRawBytes(...messages: { key: string; value: Buffer }[]): Promise<void> {
    await this.sendTo(InboundRawTopic.name, messages);
  }

  private async sendTo(name: string, messages: { key: string; value: Buffer }[]): Promise<void> {
    const producer = this.kafka.producer();
    await producer.connect();
    await producer.send({ topic: this.topic(name), messages });
    await producer.disconnect();
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, params)).rows as T[];
  }

  /** Sends replay commands to the normalizer's command topic, as the admin API would. */
  async sendCommands(...commands: NormalizerCommand[]): Promise<void> {
    const producer = this.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: this.topic(NormalizerCommandsTopic.name),
      messages: commands.map((c) => encodeMessage(NormalizerCommandsTopic, c)),
    });
    await producer.disconnect();
  }

  /**
   * Waits until the group has committed past every message of the raw topic (or of the command
   * topic, whose group is the normalizer's with `-commands`).
   */
  async waitCommitted(name: string = InboundRawTopic.name): Promise<void> {
    const topic = this.topic(name);
    const groupId = name === InboundRawTopic.name ? this.groupId : `${this.groupId}-commands`;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await eventually(
        async () => {
          const ends = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          const done = ends.every((end) => {
            const c = committed?.partitions.find((p) => p.partition === end.partition);
            return (
              BigInt(end.high) === 0n || (c !== undefined && BigInt(c.offset) >= BigInt(end.high))
            );
          });
          return done ? true : undefined;
        },
        { timeoutMs: 30_000, what: `${name} fully committed` },
      );
    } finally {
      await admin.disconnect();
    }
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.disconnect()));
    await this.db?.end();
    await this.database?.drop();
    await deleteTopicsWithPrefix(this.kafka, this.prefix);
  }
}
