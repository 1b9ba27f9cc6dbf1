import { Injectable } from '@nestjs/common';
import {
  configKey,
  type SecretBox,
  type SubscriptionHealthEvent,
  type SubscriptionRecord,
  type SubscriptionTopic,
} from '@switchboard/contracts';
import type { Principal } from '../auth/principal';
import { BusinessesService } from '../businesses/businesses.service';
import { newId } from '../common/ids';
import { InvalidRequestError } from '../common/validation';
import { InjectConfig } from '@switchboard/service-kit';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { ConfigWriter } from '../outbox/config-writer';
import {
  generateWebhookSecret,
  newSecret,
  rotateSecrets,
  sealSecret,
  summarise,
} from '../secrets/secrets';
import { AddressPolicy } from '@switchboard/address-policy';
import type { ProviderSettings, SubscriptionEntity } from './subscription.entity';
import { SubscriptionsRepository } from './subscriptions.repository';
import { WebhookNotFoundError } from './webhooks.errors';
import type {
  CreatedWebhook,
  CreateWebhookRequest,
  RotatedWebhookSecret,
  RotateWebhookSecretRequest,
  UpdateWebhookRequest,
  Webhook,
  WebhookList,
} from './webhooks.schemas';

/**
 * Webhook subscriptions, one address per business and topic (Connectly semantics): creating one
 * for a topic that already has one replaces it in place, keeping its id. Every change is written
 * with its `SubscriptionRecord` to the outbox in the same transaction. Signing secrets are stored
 * and published sealed; a value is shown in clear only in the response that creates it.
 */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectConfig() private readonly config: SubscriptionsConfig,
    private readonly businesses: BusinessesService,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly writer: ConfigWriter,
    private readonly addresses: AddressPolicy,
  ) {}

  /**
   * Creates the topic's subscription, or replaces the one there is: same id, new address,
   * configuration and signing secret (the old secrets stop at once; rotate-secret is the way to
   * change secrets gracefully), state back to active.
   */
  async create(
    principal: Principal,
    businessId: string,
    input: CreateWebhookRequest,
    providerSettings: ProviderSettings | null = null,
  ): Promise<CreatedWebhook> {
    await this.businesses.access(principal, businessId);
    await this.checkAddress(input.address);
    const now = new Date();
    const secret = newSecret('whs', input.secret ?? generateWebhookSecret(), now);
    const { subscription, replaced } = await this.writer.change(async (change) => {
      const existing = await this.subscriptions.findByTopic(
        businessId,
        input.topic,
        change.manager,
      );
      const id = existing?.id ?? newId('sub');
      const next: SubscriptionEntity = {
        id,
        businessId,
        topic: input.topic,
        address: input.address,
        state: 'active',
        configuration: input.configuration,
        secrets: [sealSecret(this.config.DATA_KEYS, id, secret)],
        providerSettings: sealSettings(this.config.DATA_KEYS, id, providerSettings),
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        version: await change.nextVersion(),
      };
      if (existing) await this.subscriptions.update(change.manager, next);
      else await this.subscriptions.insert(change.manager, next);
      // Replacing a disabled or failing subscription makes it active again, health included.
      if (existing && existing.state !== 'active') {
        await this.subscriptions.resetHealth(
          change.manager,
          id,
          now,
          `replaced by the business (was ${existing.state})`,
        );
      }
      await change.publish(subscriptionRecord(next));
      return { subscription: next, replaced: existing !== null };
    });
    return {
      ...view(subscription),
      replaced,
      secret: { id: secret.id, value: secret.value, createdAt: secret.createdAt },
    };
  }

  async list(principal: Principal, businessId: string): Promise<WebhookList> {
    await this.businesses.access(principal, businessId);
    return { items: (await this.subscriptions.listByBusiness(businessId)).map(view) };
  }

  async get(principal: Principal, businessId: string, topic: SubscriptionTopic): Promise<Webhook> {
    await this.businesses.access(principal, businessId);
    const subscription = await this.subscriptions.findByTopic(businessId, topic);
    if (!subscription) throw new WebhookNotFoundError(topic);
    return view(subscription);
  }

  async update(
    principal: Principal,
    businessId: string,
    topic: SubscriptionTopic,
    patch: UpdateWebhookRequest,
  ): Promise<Webhook> {
    await this.businesses.access(principal, businessId);
    if (patch.address !== undefined) await this.checkAddress(patch.address);
    const updated = await this.writer.change(async (change) => {
      const current = await this.subscriptions.findByTopic(businessId, topic, change.manager);
      if (!current) throw new WebhookNotFoundError(topic);
      const next: SubscriptionEntity = {
        ...current,
        address: patch.address ?? current.address,
        configuration: patch.configuration ?? current.configuration,
        state: patch.state ?? current.state,
        updatedAt: new Date(),
        version: await change.nextVersion(),
      };
      await this.subscriptions.update(change.manager, next);
      // Re-enabled: the endpoint starts afresh, and its health says so until delivery announces.
      if (next.state === 'active' && current.state !== 'active') {
        await this.subscriptions.resetHealth(
          change.manager,
          next.id,
          next.updatedAt,
          `re-enabled by the business (was ${current.state})`,
        );
      }
      await change.publish(subscriptionRecord(next));
      return next;
    });
    return view(updated);
  }

  async delete(principal: Principal, businessId: string, topic: SubscriptionTopic): Promise<void> {
    await this.businesses.access(principal, businessId);
    await this.writer.change(async (change) => {
      const current = await this.subscriptions.findByTopic(businessId, topic, change.manager);
      if (!current) throw new WebhookNotFoundError(topic);
      await this.subscriptions.delete(change.manager, current.id);
      await change.tombstone(configKey({ kind: 'subscription', businessId, topic }));
    });
  }

  /** Adds a signing secret; the previous ones keep signing for the grace period. */
  async rotateSecret(
    principal: Principal,
    businessId: string,
    topic: SubscriptionTopic,
    input: RotateWebhookSecretRequest,
  ): Promise<RotatedWebhookSecret> {
    await this.businesses.access(principal, businessId);
    const grace = input.graceSeconds ?? this.config.SECRET_ROTATION_GRACE_SECONDS;
    const { subscription, secret } = await this.writer.change(async (change) => {
      const current = await this.subscriptions.findByTopic(businessId, topic, change.manager);
      if (!current) throw new WebhookNotFoundError(topic);
      const now = new Date();
      const added = newSecret('whs', input.secret ?? generateWebhookSecret(), now);
      const next: SubscriptionEntity = {
        ...current,
        secrets: rotateSecrets(
          current.secrets,
          sealSecret(this.config.DATA_KEYS, current.id, added),
          now,
          grace,
        ),
        updatedAt: now,
        version: await change.nextVersion(),
      };
      await this.subscriptions.update(change.manager, next);
      await change.publish(subscriptionRecord(next));
      return { subscription: next, secret: added };
    });
    return {
      webhook: view(subscription),
      secret: { id: secret.id, value: secret.value, createdAt: secret.createdAt },
    };
  }

  /**
   * Applies the delivery service's `subscription.disabled` announcement to the record: state
   * `disabled`, published like any change. Ignored when the subscription is gone, was replaced by
   * another, is already disabled, or was changed after the announcement (e.g. re-enabled by the
   * business, or a replayed old announcement). True when it disabled the subscription.
   */
  async disableAfterAnnouncement(event: SubscriptionHealthEvent): Promise<boolean> {
    return this.writer.change(async (change) => {
      const current = await this.subscriptions.findByTopic(
        event.businessId,
        event.topic,
        change.manager,
      );
      if (!current || current.id !== event.subscriptionId || current.state === 'disabled') {
        return false;
      }
      if (current.updatedAt.getTime() > Date.parse(event.occurredAt)) return false;
      const next: SubscriptionEntity = {
        ...current,
        state: 'disabled',
        updatedAt: new Date(),
        version: await change.nextVersion(),
      };
      await this.subscriptions.update(change.manager, next);
      await change.publish(subscriptionRecord(next));
      return true;
    });
  }

  private async checkAddress(address: string): Promise<void> {
    const refusal = await this.addresses.check(address);
    if (refusal) {
      throw new InvalidRequestError(
        refusal.message,
        [{ path: 'address', message: refusal.message }],
        refusal.code,
      );
    }
  }
}

/** The record delivery sends by. */
export function subscriptionRecord(subscription: SubscriptionEntity): SubscriptionRecord {
  return {
    kind: 'subscription',
    id: subscription.id,
    businessId: subscription.businessId,
    topic: subscription.topic,
    address: subscription.address,
    state: subscription.state,
    configuration: subscription.configuration,
    secrets: subscription.secrets,
    updatedAt: subscription.updatedAt.toISOString(),
    version: subscription.version,
  };
}

function view(subscription: SubscriptionEntity): Webhook {
  return {
    id: subscription.id,
    businessId: subscription.businessId,
    topic: subscription.topic,
    address: subscription.address,
    state: subscription.state,
    // Subscriptions stored before CloudEvents modes existed are sent structured.
    configuration: {
      ...subscription.configuration,
      cloudEventsMode: subscription.configuration.cloudEventsMode ?? 'structured',
      // and without ordering or status monotonicity.
      ordering: subscription.configuration.ordering ?? 'none',
      statusMonotonic: subscription.configuration.statusMonotonic ?? false,
    },
    secrets: summarise(subscription.secrets),
    createdAt: subscription.createdAt.toISOString(),
    updatedAt: subscription.updatedAt.toISOString(),
    version: subscription.version,
  };
}

/** What a secret kept in a registration's provider settings is bound to. */
export function webengageTokenContext(subscriptionId: string): string {
  return `${subscriptionId}/webengage-token`;
}

/** Provider settings as stored: the WebEngage token sealed like every other secret. */
function sealSettings(
  box: SecretBox,
  id: string,
  settings: ProviderSettings | null,
): ProviderSettings | null {
  const webengage = settings?.connectly?.webengageConfiguration;
  if (!settings?.connectly || webengage?.webengageToken === undefined) return settings;
  return {
    ...settings,
    connectly: {
      ...settings.connectly,
      webengageConfiguration: {
        ...webengage,
        webengageToken: box.seal(webengage.webengageToken, webengageTokenContext(id)),
      },
    },
  };
}
