import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigTopic, type ConfigRecord, decodeConfig } from '@switchboard/contracts';
import { loadConfig } from '@switchboard/service-kit';
import {
  freePort,
  createTestDatabase,
  testDataKeys,
  testKafka,
  testKafkaBrokers,
  readTopicToEnd,
  type TopicRecord,
  uniqueName,
  type TestDatabase,
} from '@switchboard/testing';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { createSubscriptionsApp } from '../src/bootstrap';
import type { CreatedBusiness } from '../src/businesses/businesses.schemas';
import { SubscriptionsConfig } from '../src/config/subscriptions.config';

export interface InjectOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
}

export interface JsonResponse<T = unknown> {
  statusCode: number;
  headers: Record<string, unknown>;
  body: T;
  text: string;
}

/** One record read back from the config topic, in offset order. */
export interface ConfigMessage {
  key: string;
  record: ConfigRecord | null;
  partition: number;
  offset: string;
}

/**
 * One subscriptions instance on the real broker and a database of its own (a unique topic prefix
 * and a fresh database per test file), restartable on the same database and topics.
 */
export class SubscriptionsUnderTest {
  readonly prefix = `${uniqueName('subscriptions')}.`;
  readonly operatorKey = `op_${randomBytes(32).toString('base64url')}`;
  /** Consumer groups of this instance (kept across restarts, like a deployment's). */
  readonly groupId = uniqueName('subscriptions');
  readonly kafka: Kafka = testKafka();
  app!: NestFastifyApplication;
  config!: SubscriptionsConfig;
  database!: TestDatabase;
  /** Every route Fastify registered: `METHOD /path`. */
  readonly routes: string[] = [];
  private env: Record<string, string> = {};

  async start(env: Record<string, string> = {}): Promise<void> {
    this.database ??= await createTestDatabase('subscriptions');
    this.env = env;
    this.config = loadConfig('subscriptions', SubscriptionsConfig, {
      HOST: '127.0.0.1',
      GRPC_PORT: String(await freePort()),
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: this.prefix,
      DATABASE_URL: this.database.url,
      DATABASE_POOL_SIZE: '4',
      OPERATOR_API_KEY: this.operatorKey,
      PUBLIC_INGRESS_URL: 'https://in.switchboard.test',
      ADDRESS_ALLOWLIST: '127.0.0.1/32,::1/128',
      OUTBOX_POLL_INTERVAL_MS: '100',
      CONSUMER_GROUP_ID: this.groupId,
      LOG_LEVEL: 'warn',
      DATA_KEYS: testDataKeys(),
      ...env,
    });
    this.routes.length = 0;
    this.app = await createSubscriptionsApp(this.config, {
      configure: (app) => {
        app
          .getHttpAdapter()
          .getInstance()
          .addHook('onRoute', (route) => {
            const methods = Array.isArray(route.method) ? route.method : [route.method];
            for (const method of methods) this.routes.push(`${method} ${route.url}`);
          });
      },
    });
    await this.app.init();
    await this.app.startAllMicroservices();
    await this.app.getHttpAdapter().getInstance().ready();
  }

  /** Stops the application (database and topics stay), as a crash or deploy would. */
  async close(): Promise<void> {
    await this.app?.close();
  }

  /** Starts again on the same database and topics. */
  async restart(env: Record<string, string> = this.env): Promise<void> {
    await this.close();
    await this.start(env);
  }

  /** Stops the application, drops the database and deletes the topics, whatever fails first. */
  async stop(): Promise<void> {
    try {
      await this.close();
    } finally {
      try {
        await this.database?.drop();
      } finally {
        const admin = this.kafka.admin();
        await admin.connect();
        try {
          const mine = (await admin.listTopics()).filter((t) => t.startsWith(this.prefix));
          if (mine.length > 0) await admin.deleteTopics({ topics: mine });
        } finally {
          await admin.disconnect();
        }
      }
    }
  }

  get grpcAddress(): string {
    return `127.0.0.1:${this.config.GRPC_PORT}`;
  }

  get configTopic(): string {
    return `${this.prefix}${ConfigTopic.name}`;
  }

  operator(): Record<string, string> {
    return { authorization: `Bearer ${this.operatorKey}` };
  }

  /** A new business, made with the operator key (fails unless answered 201). */
  async createBusiness(payload: { name?: string } = {}): Promise<CreatedBusiness> {
    const res = await this.request<CreatedBusiness>({
      method: 'POST',
      url: '/v1/businesses',
      headers: this.operator(),
      payload,
    });
    if (res.statusCode !== 201) {
      throw new Error(
        `creating a business answered ${res.statusCode}: ${JSON.stringify(res.body)}`,
      );
    }
    return res.body;
  }

  /** Sends a request through the whole HTTP stack without a socket; JSON in, JSON out. */
  async request<T = unknown>(options: InjectOptions): Promise<JsonResponse<T>> {
    const response = await this.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: options.method,
        url: options.url,
        headers: {
          ...(options.payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        payload: options.payload === undefined ? undefined : JSON.stringify(options.payload),
      });
    const text = response.body;
    const isJson = String(response.headers['content-type'] ?? '').includes('json');
    return {
      statusCode: response.statusCode,
      headers: response.headers,
      body: (isJson && text.length > 0 ? JSON.parse(text) : undefined) as T,
      text,
    };
  }

  /** Runs SQL against the service's database (schema `subscriptions` first on the path). */
  async query<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    const client = new Client({
      connectionString: this.database.url,
      options: '-c search_path=subscriptions',
    });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as R[];
    } finally {
      await client.end();
    }
  }

  /** Every message on the config topic, read from the beginning up to its current end. */
  async readConfigTopic(): Promise<ConfigMessage[]> {
    const messages = await this.readTopic(this.configTopic);
    return messages.map((m) => {
      const decoded = decodeConfig(m.key, m.value);
      if (!decoded.ok) throw new Error(`Bad config record: ${decoded.message}`);
      return { key: m.key ?? '', record: decoded.record, partition: m.partition, offset: m.offset };
    });
  }

  /** This instance's name of a catalog topic. */
  topic(definition: { name: string }): string {
    return `${this.prefix}${definition.name}`;
  }

  /** Every message of a topic, read from the beginning up to its current end, per partition in order. */
  readTopic(topic: string): Promise<TopicRecord[]> {
    return readTopicToEnd(this.kafka, topic);
  }

  /** Publishes records to one of this instance's topics, as another service would. */
  async produce(topic: string, messages: { key: string; value: Buffer }[]): Promise<void> {
    const producer = this.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages });
    } finally {
      await producer.disconnect();
    }
  }
}

/** The latest record per key, as a compacted topic's reader would hold them (tombstones remove). */
export function latestByKey(messages: readonly ConfigMessage[]): Map<string, ConfigRecord> {
  const state = new Map<string, ConfigRecord>();
  for (const m of messages) {
    if (m.record === null) state.delete(m.key);
    else state.set(m.key, m.record);
  }
  return state;
}
