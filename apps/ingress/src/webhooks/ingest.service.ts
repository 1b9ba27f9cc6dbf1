import { Injectable, Logger } from '@nestjs/common';
import {
  encodeRawEnvelope,
  InboundRawBulkTopic,
  InboundRawTopic,
  Provider,
  type SourceRecord,
} from '@switchboard/contracts';
import { ProducerOverloadedError, TopicPublisher } from '@switchboard/kafka';
import { errorMessage, InjectConfig } from '@switchboard/service-kit';
import { z } from 'zod';
import type { IngressConfig } from '../config/ingress.config';
import { SourceRegistry } from '../sources/source-registry';
import { secretsEqual } from '../verification/hmac';
import { type InboundRequest } from '../verification/verification';
import { headerTokenVerifier, type Verifier, verifiers } from '../verification/verifiers';
import { bodyVerdict, mediaTypeOf } from './content-types';
import {
  SourcesLoadingError,
  StorageUnavailableError,
  StorageUnconfirmedError,
  WebhookRejectedError,
} from './ingress.errors';
import { IngressMetrics } from './ingress.metrics';
import { StoreBreaker, type StorePass } from './store-breaker';

export interface ReceivedWebhook extends InboundRequest {
  contentType: string;
  receivedAt: Date;
}

/** Headers kept with the raw webhook: what the normalizer and an auditor need, never a token. */
const storedHeaders = [
  'content-type',
  'user-agent',
  'x-hub-signature-256',
  'x-connectly-hmac-sha256',
  'x-webhook-signature',
  'x-webhook-timestamp',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'x-request-id',
];

const routes: ReadonlySet<string> = new Set(Provider.options);

/**
 * The ingress use case: find the source, verify the request with the source's live secrets,
 * write the raw webhook to Kafka with acks from all in-sync replicas, and only then acknowledge.
 * Finding and verifying are synchronous and throw the refusal; storing is the one wait.
 *
 * The answer to a stored webhook says what is known, never more: 200 once Kafka acknowledged it,
 * however long that took; 503 only when it was never handed to Kafka (so it is surely not
 * stored); 504 when Kafka failed a write it was handed, which may still be on the log.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);
  private readonly breaker = new StoreBreaker();

  constructor(
    private readonly sources: SourceRegistry,
    private readonly publisher: TopicPublisher,
    private readonly metrics: IngressMetrics,
    @InjectConfig() private readonly config: IngressConfig,
  ) {}

  route(name: string): Provider {
    if (!routes.has(name)) {
      throw new WebhookRejectedError('route_not_found', `No webhook route /webhooks/${name}`);
    }
    return name as Provider;
  }

  /** Meta's verification handshake: the challenge when the verify token matches. */
  handshake(sourceId: string, query: InboundRequest['query']): string {
    const source = this.source('meta', sourceId);
    const mode = first(query['hub.mode']);
    const token = first(query['hub.verify_token']);
    const challenge = first(query['hub.challenge']);
    if (
      mode !== 'subscribe' ||
      challenge === undefined ||
      token === undefined ||
      source.verifyToken === null ||
      !secretsEqual(token, source.verifyToken)
    ) {
      throw new WebhookRejectedError(
        'verify_token_invalid',
        'hub.mode must be "subscribe" and hub.verify_token must match the source',
      );
    }
    return challenge;
  }

  /**
   * Finds the source and verifies the request with its live secrets; then a body whose content
   * type does not say JSON must be JSON (see `bodyVerdict`).
   * @throws WebhookRejectedError when the source is unknown, the request does not verify, or its
   * verified body is neither declared nor found to be JSON (415)
   * @throws SourcesLoadingError while the sources are still being read after a start
   */
  verify(route: Provider, sourceId: string, request: ReceivedWebhook): SourceRecord {
    const source = this.source(route, sourceId);
    const verification = this.verifierOf(route, source)(request, {
      secrets: SourceRegistry.liveSecrets(source, request.receivedAt),
      now: request.receivedAt,
      toleranceSeconds: this.config.SIGNATURE_TOLERANCE_SECONDS,
    });
    if (!verification.ok) throw new WebhookRejectedError(verification.reason, verification.message);
    if (bodyVerdict(request.contentType, request.body) === 'not_json') {
      throw new WebhookRejectedError(
        'unsupported_media_type',
        `A ${mediaTypeOf(request.contentType).slice(0, 100)} body is taken only when it is JSON`,
      );
    }
    return source;
  }

  /** The route's own scheme, or the static header token the source is configured with. */
  private verifierOf(route: Provider, source: SourceRecord): Verifier {
    const configured = source.verification;
    return configured === undefined ? verifiers[route] : headerTokenVerifier(configured.header);
  }

  /**
   * Writes a verified webhook to the raw topic and resolves with its raw id once all in-sync
   * replicas have it.
   * @throws StorageUnavailableError when the webhook was not handed to Kafka
   * @throws StorageUnconfirmedError when Kafka failed the write it was handed
   */
  async store(route: Provider, source: SourceRecord, request: ReceivedWebhook): Promise<string> {
    const { envelope, value } = this.encode(route, source, request);
    const pass = this.breaker.pass();
    if (pass === undefined) {
      throw this.unavailable(route, 'Kafka is failing writes');
    }
    const started = performance.now();
    try {
      // The envelope was validated by its schema as it was encoded.
      await this.publisher.publish(this.rawTopicOf(request), envelope, { encoded: value });
    } catch (err) {
      return this.failed(route, pass, err);
    }
    this.breaker.acknowledged(pass);
    this.metrics.stored(route, (performance.now() - started) / 1000);
    return envelope.id;
  }

  /** The bulk raw topic for a body over `BULK_WEBHOOK_BYTES`, the raw topic otherwise. */
  private rawTopicOf(request: ReceivedWebhook): typeof InboundRawTopic {
    const bulk = this.config.BULK_WEBHOOK_BYTES;
    return bulk > 0 && request.body.length > bulk ? InboundRawBulkTopic : InboundRawTopic;
  }

  /** The envelope and record of a webhook; one its schema refuses is not stored (503). */
  private encode(route: Provider, source: SourceRecord, request: ReceivedWebhook) {
    try {
      return encodeRawEnvelope({
        sourceId: source.id,
        businessId: source.businessId,
        provider: source.sharedEndpoint ? sharedEndpointProvider(request.body) : source.provider,
        environment: source.environment,
        route,
        receivedAt: request.receivedAt,
        contentType: request.contentType,
        headers: pick(request.headers, storedHeaders, source.verification?.header),
        body: request.body,
      });
    } catch (err) {
      if (!(err instanceof z.ZodError)) throw err;
      const issues = err.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      this.logger.warn({ sourceId: source.id, issues }, 'Raw envelope refused by its schema');
      throw this.unavailable(route, 'its envelope was refused by the raw topic schema');
    }
  }

  private failed(route: Provider, pass: StorePass, err: unknown): never {
    const detail = errorMessage(err);
    // A full queue refuses before taking the message: that one surely is not stored.
    if (err instanceof ProducerOverloadedError) throw this.unavailable(route, detail);
    this.breaker.failed(pass);
    this.metrics.requests.inc({ route, outcome: 'storage_unconfirmed' });
    throw new StorageUnconfirmedError(this.config.RETRY_AFTER_SECONDS, detail);
  }

  private unavailable(route: Provider, detail: string): StorageUnavailableError {
    this.metrics.requests.inc({ route, outcome: 'storage_unavailable' });
    return new StorageUnavailableError(this.config.RETRY_AFTER_SECONDS, detail);
  }

  /**
   * The enabled source `sourceId` of `route`; checked again before a body is read.
   * @throws WebhookRejectedError when there is no such enabled source
   * @throws SourcesLoadingError while the sources are still being read after a start
   */
  source(route: Provider, sourceId: string): SourceRecord {
    const source = this.sources.get(sourceId);
    if (!source && !this.sources.isLoaded) {
      // Just started: the source may exist but not be read yet. The provider retries a 503.
      throw new SourcesLoadingError(this.config.RETRY_AFTER_SECONDS);
    }
    if (!source || source.provider !== route) {
      throw new WebhookRejectedError('source_not_found', `No ${route} source "${sourceId}"`);
    }
    if (!source.enabled) {
      throw new WebhookRejectedError('source_disabled', `Source "${sourceId}" is disabled`);
    }
    return source;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The headers named, but never `secret`: the header a source's token comes in. */
function pick(
  headers: InboundRequest['headers'],
  names: readonly string[],
  secret: string | undefined,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of names) {
    if (name === secret) continue;
    const value = first(headers[name]);
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The provider whose mapper reads a webhook that came to a shared endpoint (Cunnekt's one URL for
 * channel webhooks and platform events): `meta` for Meta's envelope, and for a body that is not
 * JSON (the normalizer dead-letters it either way), `standard` for anything else.
 */
export function sharedEndpointProvider(body: Buffer): Provider {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch {
    return 'meta';
  }
  const isMetaEnvelope =
    typeof parsed === 'object' &&
    parsed !== null &&
    (parsed as Record<string, unknown>).object === 'whatsapp_business_account';
  return isMetaEnvelope ? 'meta' : 'standard';
}
