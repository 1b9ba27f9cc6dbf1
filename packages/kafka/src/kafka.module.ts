import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import {
  type KafkaTransportEnv,
  LivenessService,
  ReadinessService,
} from '@switchboard/service-kit';
import type { Admin, Kafka } from 'kafkajs';
import { Counter, Gauge, Registry } from 'prom-client';
import { BatchingProducer, type BatchingProducerOptions } from './batching.producer';
import { consumerLag } from './consumer-lag';
import { consumerLiveness } from './consumer.supervisor';
import { createKafkaClient, type KafkaClientOptions, kafkaSecurity } from './kafka-client';
import { invalidRecordCounts, TopicConsumers } from './topic-consumer';
import { TopicNames } from './topic-names';
import { TopicPublisher } from './topic-publisher';
import { TransactionalProducers } from './transactional.producer';
import { type ProvisionedTopic, provisionTopics } from './topic-provisioner';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const KAFKA_MODULE_OPTIONS = Symbol('KAFKA_MODULE_OPTIONS');

export interface KafkaModuleOptions extends KafkaClientOptions {
  replicationFactor: number;
  /** Topics created at start when missing (normally the whole catalog). */
  topics: readonly ProvisionedTopic[];
  /** Put before every catalog topic name (`KAFKA_TOPIC_PREFIX`). */
  topicPrefix?: string;
  producer?: BatchingProducerOptions;
}

/**
 * Connects the shared producer and creates the catalog's topics at start; reports Kafka in
 * readiness and the consumers built on the client in liveness (dead when one gave up
 * restarting), with their restarts and dead ones in metrics; disconnects the producer last on shutdown (consumers stop earlier, in
 * `beforeApplicationShutdown`, so their final sends still go out).
 */
@Injectable()
export class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  private admin: Admin | null = null;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_MODULE_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly producer: BatchingProducer,
    @Optional() private readonly readiness?: ReadinessService,
    @Optional() private readonly liveness?: LivenessService,
    @Optional() private readonly registry?: Registry,
  ) {}

  async onModuleInit(): Promise<void> {
    const names = new TopicNames(this.options.topicPrefix);
    await provisionTopics(
      this.kafka,
      this.options.topics.map((t) => ({ ...t, name: names.name(t) })),
      this.options.replicationFactor,
    );
    await this.producer.connect();
    this.readiness?.register({
      name: 'kafka',
      check: async () => {
        if (!this.admin) {
          this.admin = this.kafka.admin();
          await this.admin.connect();
        }
        await this.admin.describeCluster();
      },
    });
    const consumers = consumerLiveness(this.kafka);
    this.liveness?.register({ name: 'kafka-consumers', deadReason: () => consumers.deadReason() });
    if (this.registry) {
      const restarts = new Counter({
        name: 'kafka_consumer_restarts_total',
        help: 'Consumers started again after a crash',
        labelNames: ['consumer'],
        registers: [this.registry],
      });
      consumers.onRestart((name) => restarts.inc({ consumer: name }));
      const lag = consumerLag(this.kafka);
      new Gauge({
        name: 'kafka_consumer_lag',
        help: 'Records each consumer group has still to read, per partition, as of its last batch (autoscaling signal)',
        labelNames: ['group', 'topic', 'partition'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const entry of lag.entries()) {
            this.set(
              { group: entry.group, topic: entry.topic, partition: String(entry.partition) },
              entry.lag,
            );
          }
        },
      });
      const invalid = invalidRecordCounts(this.kafka);
      new Counter({
        name: 'kafka_invalid_records_total',
        help: 'Records a consumer refused because they did not decode or fit the topic schema, by what was done with them',
        labelNames: ['topic', 'action'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const entry of invalid.entries()) {
            this.inc({ topic: entry.topic, action: entry.action }, entry.count);
          }
        },
      });
      new Gauge({
        name: 'kafka_consumers_dead',
        help: 'Consumers that gave up restarting (liveness fails while this is above 0)',
        registers: [this.registry],
        collect() {
          this.set(consumers.statuses().filter((s) => s.state === 'dead').length);
        },
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
    await this.admin?.disconnect();
  }
}

/** The Kafka settings every service reads from its environment (see `baseServiceEnv`). */
export interface KafkaServiceEnv extends KafkaTransportEnv {
  KAFKA_CLIENT_ID: string;
  KAFKA_BROKERS: string[];
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_TOPIC_PREFIX: string;
}

@Global()
@Module({})
export class KafkaModule {
  /**
   * The module as a service configures it: client, brokers, replication, prefix and transport
   * security (TLS, SASL) from its env.
   */
  static forService(
    env: KafkaServiceEnv,
    options: Pick<KafkaModuleOptions, 'topics' | 'producer'>,
  ): DynamicModule {
    return KafkaModule.forRoot({
      clientId: env.KAFKA_CLIENT_ID,
      brokers: env.KAFKA_BROKERS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      ...kafkaSecurity(env),
      ...options,
    });
  }

  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_MODULE_OPTIONS, useValue: options },
        { provide: KAFKA_CLIENT, useFactory: () => createKafkaClient(options) },
        {
          provide: BatchingProducer,
          useFactory: (kafka: Kafka) => new BatchingProducer(kafka, options.producer),
          inject: [KAFKA_CLIENT],
        },
        {
          provide: TransactionalProducers,
          useFactory: (kafka: Kafka, names: TopicNames) => new TransactionalProducers(kafka, names),
          inject: [KAFKA_CLIENT, TopicNames],
        },
        { provide: TopicNames, useValue: new TopicNames(options.topicPrefix) },
        {
          provide: TopicPublisher,
          useFactory: (producer: BatchingProducer, names: TopicNames) =>
            new TopicPublisher(producer, names),
          inject: [BatchingProducer, TopicNames],
        },
        {
          provide: TopicConsumers,
          useFactory: (kafka: Kafka, names: TopicNames) => new TopicConsumers(kafka, names),
          inject: [KAFKA_CLIENT, TopicNames],
        },
        KafkaLifecycle,
      ],
      exports: [
        KAFKA_CLIENT,
        BatchingProducer,
        TransactionalProducers,
        TopicNames,
        TopicPublisher,
        TopicConsumers,
      ],
    };
  }
}
