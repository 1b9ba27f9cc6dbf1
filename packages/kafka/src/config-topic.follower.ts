import { Logger } from '@nestjs/common';
import {
  type ConfigKey,
  type ConfigRecord,
  ConfigTopic,
  decodeConfig,
} from '@switchboard/contracts';
import type { ReadinessService } from '@switchboard/service-kit';
import type { Kafka } from 'kafkajs';
import { CompactedTopicReader } from './compacted-topic.reader';
import type { TopicNames } from './topic-names';

export interface ConfigChange {
  key: ConfigKey;
  /** The record now in force, or null when the key was deleted (a tombstone). */
  record: ConfigRecord | null;
}

export interface ConfigTopicFollowerOptions {
  /** Names the private consumer group, e.g. `switchboard-ingress-config`. */
  groupIdPrefix: string;
  /** Applies one decoded change to the service's in-memory view. */
  apply(change: ConfigChange): void;
}

/**
 * Follows the compacted config topic (sources and subscriptions) into a service's memory:
 * decodes every record, skips and logs the ones that do not decode, and reports `config` in
 * readiness until the topic has been read up to where it stood at start and while the consumer
 * runs. Ingress and delivery read no database per request because of it.
 */
export class ConfigTopicFollower {
  private readonly logger = new Logger(ConfigTopicFollower.name);
  private readonly reader: CompactedTopicReader;

  constructor(
    kafka: Kafka,
    topics: TopicNames,
    private readonly options: ConfigTopicFollowerOptions,
  ) {
    this.reader = new CompactedTopicReader(kafka, {
      topic: topics.name(ConfigTopic),
      groupIdPrefix: options.groupIdPrefix,
      onRecord: (key, value) => this.onRecord(key, value),
    });
  }

  /** Resolves once everything the topic held at start has been applied. */
  get caughtUp(): Promise<void> {
    return this.reader.caughtUp;
  }

  async start(readiness: ReadinessService): Promise<void> {
    readiness.register({
      name: 'config',
      check: async () => {
        if (!this.reader.isCaughtUp) throw new Error('Config topic not read up to its end yet');
        if (!this.reader.isFollowing) throw new Error('Config topic consumer is not running');
      },
    });
    await this.reader.start();
  }

  async stop(): Promise<void> {
    await this.reader.stop();
  }

  private onRecord(key: string, value: Buffer | null): void {
    const decoded = decodeConfig(key, value);
    if (!decoded.ok) {
      this.logger.warn(
        { key, reason: decoded.reason, message: decoded.message },
        'Bad config record skipped',
      );
      return;
    }
    this.options.apply({ key: decoded.key, record: decoded.record });
  }
}
