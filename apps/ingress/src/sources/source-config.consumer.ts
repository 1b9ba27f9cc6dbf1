import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  openSourceRecord,
  type SecretBox,
  SecretBoxError,
  type SourceRecord,
} from '@switchboard/contracts';
import {
  ConfigTopicFollower,
  KAFKA_CLIENT,
  type KafkaClient,
  TopicNames,
} from '@switchboard/kafka';
import { InjectConfig, ReadinessService } from '@switchboard/service-kit';
import type { IngressConfig } from '../config/ingress.config';
import { SourceRegistry } from './source-registry';

/**
 * Keeps the source registry current from the compacted config topic. Ingress is ready only once
 * it has read the topic up to where it stood at start.
 *
 * Secrets arrive sealed; each record version is opened once, here, with the data keys of
 * `DATA_KEYS` (required by the config schema: ingress does not start without them), so the request path only
 * compares. A record that does not open is skipped and logged, like a record that does not decode.
 */
@Injectable()
export class SourceConfigConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SourceConfigConsumer.name);
  private readonly follower: ConfigTopicFollower;
  private readonly box: SecretBox;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: KafkaClient,
    private readonly registry: SourceRegistry,
    private readonly readiness: ReadinessService,
    topics: TopicNames,
    @InjectConfig() config: IngressConfig,
  ) {
    this.box = config.DATA_KEYS;
    this.follower = new ConfigTopicFollower(kafka, topics, {
      groupIdPrefix: 'switchboard-ingress-config',
      apply: ({ key, record }) => {
        if (record?.kind === 'source') this.upsert(record);
        else if (record === null && key.kind === 'source') registry.remove(key.id);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    void this.follower.caughtUp.then(() => this.registry.markLoaded());
    await this.follower.start(this.readiness);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.follower.stop();
  }

  private upsert(record: SourceRecord): void {
    if ((this.registry.get(record.id)?.version ?? -1) > record.version) return;
    let opened: SourceRecord;
    try {
      opened = openSourceRecord(this.box, record);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      this.logger.warn(
        { source: record.id, version: record.version, reason: err.message },
        'Source record with secrets that do not open skipped',
      );
      return;
    }
    this.registry.upsert(opened);
  }
}
