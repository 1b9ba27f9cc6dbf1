import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  openSubscriptionRecord,
  type SecretBox,
  SecretBoxError,
  type SubscriptionRecord,
} from '@switchboard/contracts';
import {
  ConfigTopicFollower,
  KAFKA_CLIENT,
  type KafkaClient,
  TopicNames,
} from '@switchboard/kafka';
import { InjectConfig, ReadinessService } from '@switchboard/service-kit';
import type { DeliveryConfig } from '../config/delivery.config';
import { SubscriptionRegistry } from './subscription-registry';

/**
 * Follows the compacted config topic and keeps the subscription registry current. Delivery is
 * ready, and starts consuming events and retrying, only once it has read the topic up to where it
 * stood at start: an event matched against a half-read registry would be lost.
 *
 * Signing secrets arrive sealed; each record version is opened once, here, with the data keys of
 * `DATA_KEYS` (required by the config schema: delivery does not start without them), so sending only signs. A
 * record that does not open is skipped and logged, like a record that does not decode.
 */
@Injectable()
export class SubscriptionConfigConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(SubscriptionConfigConsumer.name);
  private readonly follower: ConfigTopicFollower;
  private readonly box: SecretBox;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: KafkaClient,
    private readonly registry: SubscriptionRegistry,
    private readonly readiness: ReadinessService,
    topics: TopicNames,
    @InjectConfig() config: DeliveryConfig,
  ) {
    this.box = config.DATA_KEYS;
    this.follower = new ConfigTopicFollower(kafka, topics, {
      groupIdPrefix: 'switchboard-delivery-config',
      apply: ({ key, record }) => {
        if (record?.kind === 'subscription') this.upsert(record);
        else if (record === null && key.kind === 'subscription') {
          registry.remove(key.businessId, key.topic);
        }
      },
    });
  }

  /** Resolves once the registry holds everything the config topic held at start. */
  get caughtUp(): Promise<void> {
    return this.follower.caughtUp;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.follower.start(this.readiness);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.follower.stop();
  }

  private upsert(record: SubscriptionRecord): void {
    const current = this.registry.find(record.businessId, record.topic);
    if (current && current.record.version > record.version) return;
    let opened: SubscriptionRecord;
    try {
      opened = openSubscriptionRecord(this.box, record);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      this.logger.warn(
        { subscription: record.id, version: record.version, reason: err.message },
        'Subscription record with secrets that do not open skipped',
      );
      return;
    }
    this.registry.upsert(opened);
  }
}
