import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  configKey,
  type Secret,
  SecretBox,
  SecretBoxError,
  secretContext,
  verifyTokenContext,
} from '@switchboard/contracts';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/principal';
import { InjectConfig } from '@switchboard/service-kit';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { ConfigWriter } from '../outbox/config-writer';
import { SourcesRepository } from '../sources/sources.repository';
import { sourceRecord } from '../sources/sources.service';
import { SubscriptionsRepository } from '../webhooks/subscriptions.repository';
import type { ProviderSettings, SubscriptionEntity } from '../webhooks/subscription.entity';
import { subscriptionRecord, webengageTokenContext } from '../webhooks/webhooks.service';
import type { DataKeyRotation } from './data-keys.schemas';

/** Which stored values to seal again. */
type Selector = (value: string) => boolean;

/**
 * Keeps every stored secret sealed with the current data key. At start it seals what is still
 * stored in clear (rows written before secrets were sealed); `rotate` seals again, with the
 * current key, every value sealed with an older one. Each record changed gets a new version and
 * is republished through the outbox, so the config topic carries only sealed values too. Both
 * are idempotent: a second run finds nothing to do.
 */
@Injectable()
export class DataKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DataKeysService.name);
  private readonly box: SecretBox;

  constructor(
    @InjectConfig() config: SubscriptionsConfig,
    private readonly auth: AuthService,
    private readonly sources: SourcesRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly writer: ConfigWriter,
  ) {
    this.box = config.DATA_KEYS;
  }

  async onApplicationBootstrap(): Promise<void> {
    const sealed = await this.reseal((value) => !SecretBox.isSealed(value));
    if (sealed.secrets > 0 || sealed.unreadable.length > 0) {
      this.logger.log(sealed, 'Secrets stored in clear sealed and republished');
    }
  }

  /** The `rotate-data-key` command (operator only). */
  async rotate(principal: Principal): Promise<DataKeyRotation> {
    this.auth.requireOperator(principal);
    const rotated = await this.reseal((value) => this.box.needsResealing(value));
    this.logger.log(rotated, 'Stored secrets sealed with the current data key');
    return rotated;
  }

  private async reseal(selected: Selector): Promise<DataKeyRotation> {
    const result: DataKeyRotation = {
      keyId: this.box.currentKeyId,
      sources: 0,
      webhooks: 0,
      secrets: 0,
      unreadable: [],
    };
    const wanted = (secrets: readonly Secret[], token: string | null = null) =>
      secrets.some((s) => selected(s.value)) || (token !== null && selected(token));

    for (const listed of await this.sources.listAll()) {
      if (!wanted(listed.secrets, listed.verifyToken)) continue;
      const key = configKey({ kind: 'source', id: listed.id });
      const count = await this.readable(key, result, () =>
        this.writer.change(async (change) => {
          const current = await this.sources.findById(listed.id, change.manager);
          if (!current) return 0;
          const secrets = this.resealSecrets(current.id, current.secrets, selected);
          const token = current.verifyToken;
          const resealToken = token !== null && selected(token);
          const count = secrets.count + (resealToken ? 1 : 0);
          if (count === 0) return 0;
          const next = {
            ...current,
            secrets: secrets.values,
            verifyToken: resealToken
              ? this.box.reseal(token, verifyTokenContext(current.id))
              : token,
            version: await change.nextVersion(),
          };
          await this.sources.update(change.manager, next);
          await change.publish(sourceRecord(next));
          return count;
        }),
      );
      if (count > 0) {
        result.sources += 1;
        result.secrets += count;
      }
    }

    for (const listed of await this.subscriptions.listAll()) {
      if (!wanted(listed.secrets, webengageTokenOf(listed) ?? null)) continue;
      const key = configKey({
        kind: 'subscription',
        businessId: listed.businessId,
        topic: listed.topic,
      });
      const count = await this.readable(key, result, () =>
        this.writer.change(async (change) => {
          const current = await this.subscriptions.findById(listed.id, change.manager);
          if (!current) return 0;
          const secrets = this.resealSecrets(current.id, current.secrets, selected);
          const token = webengageTokenOf(current);
          const resealToken = token !== undefined && selected(token);
          if (secrets.count === 0 && !resealToken) return 0;
          const next = {
            ...current,
            secrets: secrets.values,
            providerSettings: resealToken
              ? withWebengageToken(
                  current.providerSettings,
                  this.box.reseal(token, webengageTokenContext(current.id)),
                )
              : current.providerSettings,
            version: await change.nextVersion(),
          };
          await this.subscriptions.update(change.manager, next);
          await change.publish(subscriptionRecord(next));
          return secrets.count + (resealToken ? 1 : 0);
        }),
      );
      if (count > 0) {
        result.webhooks += 1;
        result.secrets += count;
      }
    }
    return result;
  }

  private resealSecrets<T extends Secret>(
    recordId: string,
    secrets: readonly T[],
    selected: Selector,
  ): { values: T[]; count: number } {
    let count = 0;
    const values = secrets.map((s) => {
      if (!selected(s.value)) return s;
      count += 1;
      return { ...s, value: this.box.reseal(s.value, secretContext(recordId, s.id)) };
    });
    return { values, count };
  }

  /** Runs one record's change; a value no configured key opens leaves that record as it is. */
  private async readable(
    key: string,
    result: DataKeyRotation,
    work: () => Promise<number>,
  ): Promise<number> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      result.unreadable.push(key);
      this.logger.warn(
        { key, reason: err.message },
        'A stored secret does not open; left as it is',
      );
      return 0;
    }
  }
}

/** The sealed WebEngage token a Connectly registration carried, if any. */
function webengageTokenOf(subscription: SubscriptionEntity): string | undefined {
  return subscription.providerSettings?.connectly?.webengageConfiguration?.webengageToken;
}

function withWebengageToken(
  settings: ProviderSettings | null,
  webengageToken: string,
): ProviderSettings | null {
  const connectly = settings?.connectly;
  if (!connectly) return settings;
  return {
    ...settings,
    connectly: {
      ...connectly,
      webengageConfiguration: { ...connectly.webengageConfiguration, webengageToken },
    },
  };
}
