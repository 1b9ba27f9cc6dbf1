import { Injectable } from '@nestjs/common';
import {
  configKey,
  type Provider,
  type SourceRecord,
  verifyTokenContext,
} from '@switchboard/contracts';
import type { Principal } from '../auth/principal';
import { BusinessesService } from '../businesses/businesses.service';
import { newId } from '../common/ids';
import { InvalidRequestError, parseInput } from '../common/validation';
import { InjectConfig } from '@switchboard/service-kit';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { ConfigWriter } from '../outbox/config-writer';
import { WhsecSecret } from '../secrets/secret.schemas';
import {
  generateToken,
  generateWebhookSecret,
  newSecret,
  rotateSecrets,
  sealSecret,
  summarise,
} from '../secrets/secrets';
import type { SourceEntity } from './source.entity';
import { SourceNotFoundError } from './sources.errors';
import type {
  CreatedSource,
  CreateSourceRequest,
  RotatedSourceSecret,
  RotateSourceSecretRequest,
  Source,
  SourceList,
  UpdateSourceRequest,
} from './sources.schemas';
import { SourcesRepository } from './sources.repository';

/**
 * Sources: the provider accounts whose webhooks ingress accepts. Every change is written with
 * its `SourceRecord` to the outbox in the same transaction. Secrets and verify tokens are stored
 * and published sealed; their values are shown in clear only in the response that creates them.
 */
@Injectable()
export class SourcesService {
  constructor(
    @InjectConfig() private readonly config: SubscriptionsConfig,
    private readonly businesses: BusinessesService,
    private readonly sources: SourcesRepository,
    private readonly writer: ConfigWriter,
  ) {}

  async create(
    principal: Principal,
    businessId: string,
    input: CreateSourceRequest,
  ): Promise<CreatedSource> {
    await this.businesses.access(principal, businessId);
    const now = new Date();
    const id = newId('src');
    const secret = newSecret('sec', initialSecret(input), now);
    const verifyToken = input.provider === 'meta' ? (input.verifyToken ?? generateToken()) : null;
    const box = this.config.DATA_KEYS;
    const source = await this.writer.change(async (change) => {
      const entity: SourceEntity = {
        id,
        businessId,
        provider: routeOf(input),
        environment: input.environment,
        enabled: input.enabled,
        secrets: [sealSecret(box, id, secret)],
        verifyToken: verifyToken === null ? null : box.seal(verifyToken, verifyTokenContext(id)),
        verification:
          input.provider === 'cunnekt' ? { kind: 'token', header: input.tokenHeader } : null,
        sharedEndpoint: input.provider === 'cunnekt' && input.events === 'all',
        externalIds: input.externalIds,
        createdAt: now,
        updatedAt: now,
        version: await change.nextVersion(),
      };
      await this.sources.insert(change.manager, entity);
      await change.publish(sourceRecord(entity));
      return entity;
    });
    return {
      ...this.view(source),
      secret: { id: secret.id, value: secret.value, createdAt: secret.createdAt },
      verifyToken,
    };
  }

  async list(principal: Principal, businessId: string): Promise<SourceList> {
    await this.businesses.access(principal, businessId);
    return { items: (await this.sources.listByBusiness(businessId)).map((s) => this.view(s)) };
  }

  async get(principal: Principal, businessId: string, sourceId: string): Promise<Source> {
    await this.businesses.access(principal, businessId);
    const source = await this.sources.find(businessId, sourceId);
    if (!source) throw new SourceNotFoundError(sourceId);
    return this.view(source);
  }

  async update(
    principal: Principal,
    businessId: string,
    sourceId: string,
    patch: UpdateSourceRequest,
  ): Promise<Source> {
    await this.businesses.access(principal, businessId);
    const updated = await this.writer.change(async (change) => {
      const source = await this.sources.find(businessId, sourceId, change.manager);
      if (!source) throw new SourceNotFoundError(sourceId);
      if (
        source.verification !== null &&
        patch.environment !== undefined &&
        patch.environment !== source.environment
      ) {
        // A token issued for one environment's account never starts verifying the other's.
        throw new InvalidRequestError(
          `environment: a token-verified source stays ${source.environment}; ` +
            `create another source for ${patch.environment}, with its own token`,
          [{ path: 'environment', message: 'cannot change' }],
        );
      }
      const next: SourceEntity = {
        ...source,
        environment: patch.environment ?? source.environment,
        enabled: patch.enabled ?? source.enabled,
        externalIds: patch.externalIds ?? source.externalIds,
        updatedAt: new Date(),
        version: await change.nextVersion(),
      };
      await this.sources.update(change.manager, next);
      await change.publish(sourceRecord(next));
      return next;
    });
    return this.view(updated);
  }

  /** Deletes the source; ingress drops it when the tombstone arrives. */
  async delete(principal: Principal, businessId: string, sourceId: string): Promise<void> {
    await this.businesses.access(principal, businessId);
    await this.writer.change(async (change) => {
      const source = await this.sources.find(businessId, sourceId, change.manager);
      if (!source) throw new SourceNotFoundError(sourceId);
      await this.sources.delete(change.manager, source.id);
      await change.tombstone(configKey({ kind: 'source', id: source.id }));
    });
  }

  /**
   * Adds a new secret and gives the ones it replaces `graceSeconds` (default: the configured
   * grace) before they expire, so the provider can be moved over without refusing webhooks.
   */
  async rotateSecret(
    principal: Principal,
    businessId: string,
    sourceId: string,
    input: RotateSourceSecretRequest,
  ): Promise<RotatedSourceSecret> {
    await this.businesses.access(principal, businessId);
    const grace = input.graceSeconds ?? this.config.SECRET_ROTATION_GRACE_SECONDS;
    const { source, secret } = await this.writer.change(async (change) => {
      const current = await this.sources.find(businessId, sourceId, change.manager);
      if (!current) throw new SourceNotFoundError(sourceId);
      const now = new Date();
      const added = newSecret('sec', rotationSecret(current, input.secret), now);
      const next: SourceEntity = {
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
      await this.sources.update(change.manager, next);
      await change.publish(sourceRecord(next));
      return { source: next, secret: added };
    });
    return {
      source: this.view(source),
      secret: { id: secret.id, value: secret.value, createdAt: secret.createdAt },
    };
  }

  private view(source: SourceEntity): Source {
    return {
      id: source.id,
      businessId: source.businessId,
      provider: source.provider,
      environment: source.environment,
      enabled: source.enabled,
      webhookUrl: `${this.config.PUBLIC_INGRESS_URL}/webhooks/${source.provider}/${source.id}`,
      externalIds: source.externalIds,
      secrets: summarise(source.secrets),
      hasVerifyToken: source.verifyToken !== null,
      verification: source.verification,
      sharedEndpoint: source.sharedEndpoint,
      createdAt: source.createdAt.toISOString(),
      updatedAt: source.updatedAt.toISOString(),
      version: source.version,
    };
  }
}

/** The record ingress verifies requests with. */
export function sourceRecord(source: SourceEntity): SourceRecord {
  return {
    kind: 'source',
    id: source.id,
    businessId: source.businessId,
    provider: source.provider,
    environment: source.environment,
    enabled: source.enabled,
    secrets: source.secrets,
    verifyToken: source.verifyToken,
    ...(source.verification === null ? {} : { verification: source.verification }),
    ...(source.sharedEndpoint && { sharedEndpoint: true as const }),
    externalIds: source.externalIds,
    updatedAt: source.updatedAt.toISOString(),
    version: source.version,
  };
}

function initialSecret(input: CreateSourceRequest): string {
  switch (input.provider) {
    case 'meta':
      return input.appSecret;
    case 'connectly':
    case 'cubeconnect':
      return input.secret;
    case 'onprem':
    case 'cunnekt':
      return input.token ?? generateToken();
    case 'standard':
      return input.secret ?? generateWebhookSecret();
  }
}

/**
 * The ingress route a source's webhooks come to: a Cunnekt source takes its channel webhooks in
 * Meta's format, or its platform events as a Standard Webhooks sender would send them.
 */
function routeOf(input: CreateSourceRequest): Provider {
  if (input.provider !== 'cunnekt') return input.provider;
  return input.events === 'platform' ? 'standard' : 'meta';
}

/** Provider-issued secrets must be given; those Switchboard issues are generated when absent. */
function rotationSecret(source: SourceEntity, given: string | undefined): string {
  if (source.verification?.kind === 'token') return tokenSecret(given);
  const provider = source.provider;
  switch (provider) {
    case 'meta':
    case 'connectly':
    case 'cubeconnect':
      if (given === undefined) {
        throw new InvalidRequestError(
          `secret: required for ${provider} sources (the provider issues the new secret)`,
          [{ path: 'secret', message: 'required' }],
        );
      }
      return given;
    case 'onprem':
      return tokenSecret(given);
    case 'standard':
      return given === undefined
        ? generateWebhookSecret()
        : parseInput(WhsecSecret, given, 'secret');
  }
}

/** A token the provider sends: at least 16 characters, generated when not given. */
function tokenSecret(given: string | undefined): string {
  if (given !== undefined && given.length < 16) {
    throw new InvalidRequestError('secret: a token needs at least 16 characters', [
      { path: 'secret', message: 'too short' },
    ]);
  }
  return given ?? generateToken();
}
