import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ConfigTopic,
  InboundRawTopic,
  InboundRejectedTopic,
  type SourceRecord,
} from '@switchboard/contracts';
import { loadConfig, createService } from '@switchboard/service-kit';
import {
  deleteTopicsWithPrefix,
  eventually,
  testDataKeys,
  testKafka,
  testKafkaBrokers,
  uniqueName,
} from '@switchboard/testing';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { Registry } from 'prom-client';
import { AppModule } from '../src/app.module';
import { IngressConfig } from '../src/config/ingress.config';
import { ingressServerOptions } from '../src/server/ingress-server';
import { SourceRegistry } from '../src/sources/source-registry';
import { publishSources } from './ingress-process';

/** One ingress instance on the real broker, with topics of its own (a unique topic prefix). */
export class IngressUnderTest {
  readonly prefix = `${uniqueName('ingress')}.`;
  readonly kafka: Kafka = testKafka();
  app!: NestFastifyApplication;
  config!: IngressConfig;
  private readonly consumers: Consumer[] = [];

  async start(env: Record<string, string> = {}): Promise<void> {
    this.config = loadConfig('ingress', IngressConfig, {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: this.prefix,
      DATA_KEYS: testDataKeys(),
      LOG_LEVEL: 'warn',
      ...env,
    });
    this.app = await createService(
      AppModule.forRoot(this.config),
      ingressServerOptions(this.config),
    );
    await this.app.init();
    await this.app.getHttpAdapter().getInstance().ready();
  }

  topic(name: 'raw' | 'rejected' | 'config'): string {
    const topics = { raw: InboundRawTopic, rejected: InboundRejectedTopic, config: ConfigTopic };
    return `${this.prefix}${topics[name].name}`;
  }

  /** Publishes source records to the config topic and waits until ingress holds them. */
  async publishSources(...sources: SourceRecord[]): Promise<void> {
    await publishSources(this.prefix, ...sources);
    const registry = this.app.get(SourceRegistry);
    await eventually(
      () => (sources.every((s) => registry.get(s.id)?.version === s.version) ? true : undefined),
      { what: 'sources applied by ingress' },
    );
  }

  /** Collects every message of a topic from its beginning, for assertions. */
  async collect(topic: string): Promise<KafkaMessage[]> {
    const messages: KafkaMessage[] = [];
    const consumer = this.kafka.consumer({ groupId: uniqueName('collector') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
    this.consumers.push(consumer);
    return messages;
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.disconnect()));
    await this.app?.close();
    await deleteTopicsWithPrefix(this.kafka, this.prefix);
  }

  /** The value of one series of a counter in the service's metrics (0 when it has none yet). */
  async metric(name: string, labels: Record<string, string>): Promise<number> {
    const metric = this.app.get(Registry).getSingleMetric(name);
    if (!metric) throw new Error(`No metric ${name}`);
    const { values } = await metric.get();
    const series = values.find((v) =>
      Object.entries(labels).every(([key, value]) => v.labels[key] === value),
    );
    return series?.value ?? 0;
  }

  /** Sends a request through the whole HTTP stack without a socket. */
  inject(options: InjectOptions) {
    return this.app.getHttpAdapter().getInstance().inject(options);
  }
}

export interface InjectOptions {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  payload?: Buffer | string;
}
