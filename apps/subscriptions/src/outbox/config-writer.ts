import { Injectable } from '@nestjs/common';
import {
  type ConfigRecord,
  ConfigTopic,
  ContractViolation,
  configKey,
  SecretBox,
  toContractIssues,
} from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { OutboxRepository } from './outbox.repository';

/** What a config change can do inside its transaction besides writing its own rows. */
export interface ConfigChange {
  readonly manager: EntityManager;
  /** A version higher than any record published before (one sequence for all records). */
  nextVersion(): Promise<number>;
  /** Queues the full record for the config topic. @throws ContractViolation for an invalid record. */
  publish(record: ConfigRecord): Promise<void>;
  /** Queues a tombstone: the key is deleted. */
  tombstone(key: string): Promise<void>;
}

/**
 * The transactional outbox, writer side: every change to sources and subscriptions runs through
 * `change`, which writes the rows and the outbox entries in one transaction. Writers serialise on
 * an advisory lock taken first, so outbox sequence order is commit order and no deadlock can form.
 */
@Injectable()
export class ConfigWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
  ) {}

  change<T>(work: (change: ConfigChange) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await this.outbox.lockWriters(manager);
      return work({
        manager,
        nextVersion: () => this.outbox.nextVersion(manager),
        publish: async (record) => {
          const parsed = ConfigTopic.schema.safeParse(record);
          if (!parsed.success) {
            throw new ContractViolation(ConfigTopic.name, toContractIssues(parsed.error.issues));
          }
          const inClear = unsealedFields(parsed.data);
          if (inClear.length > 0) {
            throw new Error(
              `Refusing to publish ${configKey(parsed.data)} with secrets in clear: ${inClear.join(', ')}`,
            );
          }
          await this.outbox.append(manager, configKey(parsed.data), parsed.data);
        },
        tombstone: (key) => this.outbox.append(manager, key, null),
      });
    });
  }
}

/** The secret fields of a record that are not sealed: none may reach the outbox or the topic. */
export function unsealedFields(record: ConfigRecord): string[] {
  const fields = record.secrets
    .filter((s) => !SecretBox.isSealed(s.value))
    .map((s) => `secrets[${s.id}]`);
  if (record.kind === 'source' && record.verifyToken !== null) {
    if (!SecretBox.isSealed(record.verifyToken)) fields.push('verifyToken');
  }
  return fields;
}
