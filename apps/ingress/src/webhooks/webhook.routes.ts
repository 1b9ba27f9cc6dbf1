import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectConfig } from '@switchboard/service-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngressConfig } from '../config/ingress.config';
import { BodyBudget, type BodyLease, smallBodyBytes } from './body-budget';
import { readBodyAsBytes, restoreContentType } from './content-types';
import { IngestService, type ReceivedWebhook } from './ingest.service';
import { IngressOverloadedError, WebhookRejectedError } from './ingress.errors';
import { IngressMetrics } from './ingress.metrics';
import { RejectionRecorder } from './rejection.recorder';

type Query = Record<string, string | string[] | undefined>;
type WebhookRoute = { Params: { route: string; sourceId: string } };
type HandshakeRoute = { Params: { sourceId: string }; Querystring: Query };
type WebhookRequest = FastifyRequest<WebhookRoute>;
type HandshakeRequest = FastifyRequest<HandshakeRoute>;

const noBody = Buffer.alloc(0);

/**
 * The provider-facing routes, registered on Fastify directly rather than as a Nest controller:
 * a webhook is one lookup, one HMAC and one Kafka write, and Nest's per-request routing (context,
 * parameter extraction, interceptors, response mapping) would cost more than all of them. Nest
 * still builds everything the routes use, and every refusal and failure is answered by the
 * service's one error mapping (Fastify's error handler), as before.
 *
 * A webhook is let in before its body is read (Fastify's `onRequest`): the route and the source
 * must exist and its announced body must fit in what ingress may hold; otherwise it is answered
 * at once, without reading a large body.
 */
@Injectable()
export class WebhookRoutes implements OnModuleInit {
  private readonly budget: BodyBudget;
  /** The body bytes each admitted webhook holds, until it is answered and stored or refused. */
  private readonly leases = new WeakMap<FastifyRequest, BodyLease>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly ingest: IngestService,
    private readonly rejections: RejectionRecorder,
    private readonly metrics: IngressMetrics,
    @InjectConfig() private readonly config: IngressConfig,
  ) {
    this.budget = new BodyBudget(config.BODY_BYTES_IN_FLIGHT);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get<HandshakeRoute>('/webhooks/meta/:sourceId', (request, reply) =>
      this.handshake(request, reply),
    );
    fastify.post<WebhookRoute>(
      '/webhooks/:route/:sourceId',
      {
        bodyLimit: this.config.BODY_LIMIT_BYTES,
        onRequest: (request, reply, done) => this.admit(request, reply, done),
      },
      (request, reply) => this.receive(request, reply),
    );
  }

  /** Lets a webhook's body be read, or answers before it is. */
  private admit(request: WebhookRequest, reply: FastifyReply, done: () => void): void {
    const { route: name, sourceId } = request.params;
    // An empty segment is no route, as for every other path.
    if (name === '' || sourceId === '') {
      closeIfBodyPending(request, reply);
      return void reply.callNotFound();
    }
    const limit = this.config.BODY_LIMIT_BYTES;
    // A body over the limit takes only the limit: Fastify answers it 413 before reading it.
    const bytes = Math.min(announcedLength(request) ?? limit, limit);
    let lease: BodyLease | undefined;
    try {
      const route = this.ingest.route(name);
      this.ingest.source(route, sourceId);
      lease = this.budget.tryLease(bytes);
      if (!lease) {
        this.metrics.requests.inc({ route, outcome: 'overloaded' });
        throw new IngressOverloadedError(this.config.RETRY_AFTER_SECONDS);
      }
    } catch (err) {
      return this.refuse(request, reply, name, sourceId, err, undefined);
    }
    this.leases.set(request, lease);
    // 'close' follows the answer, or a connection lost or timed out before it.
    reply.raw.once('close', () => lease.release());
    readBodyAsBytes(request);
    done();
  }

  private handshake(request: HandshakeRequest, reply: FastifyReply): void {
    const { sourceId } = request.params;
    // An empty segment is no route, as for every other path.
    if (sourceId === '') return void reply.callNotFound();
    let challenge: string;
    try {
      challenge = this.ingest.handshake(sourceId, request.query);
    } catch (err) {
      return this.refuse(request, reply, 'meta', sourceId, err, undefined);
    }
    void reply.type('text/plain; charset=utf-8').send(challenge);
  }

  private receive(request: WebhookRequest, reply: FastifyReply): void {
    const { route: name, sourceId } = request.params;
    const body = Buffer.isBuffer(request.body) ? request.body : noBody;
    restoreContentType(request);
    const webhook: ReceivedWebhook = {
      headers: request.headers,
      query: request.query as Query,
      body,
      contentType: request.headers['content-type'] ?? '',
      receivedAt: new Date(),
    };
    let stored: Promise<string>;
    try {
      const route = this.ingest.route(name);
      const source = this.ingest.verify(route, sourceId, webhook);
      stored = this.ingest.store(route, source, webhook);
    } catch (err) {
      return this.refuse(request, reply, name, sourceId, err, body);
    }
    // The body stays counted while Kafka has it, even when the provider stops waiting.
    const lease = this.leases.get(request);
    lease?.hold();
    stored.then(
      (id) => {
        lease?.release();
        // The id is a UUID: nothing in it needs escaping.
        void reply.type('application/json; charset=utf-8').send(`{"id":"${id}"}`);
      },
      (err: unknown) => {
        lease?.release();
        this.refuse(request, reply, name, sourceId, err, body);
      },
    );
  }

  /** Records a refusal on the rejected topic and leaves the answer to the error mapping. */
  private refuse(
    request: FastifyRequest,
    reply: FastifyReply,
    route: string,
    sourceId: string,
    err: unknown,
    body: Buffer | undefined,
  ): void {
    if (err instanceof WebhookRejectedError) {
      this.rejections.record({
        route,
        method: request.method,
        sourceId,
        businessId: null,
        reason: err.reason,
        message: err.message,
        remoteAddress: request.ip,
        headers: request.headers,
        body,
        bodyBytes: body?.length ?? 0,
        receivedAt: new Date(),
      });
    }
    closeIfBodyPending(request, reply);
    void reply.send(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * A request answered before its large (or unannounced) body has arrived has its connection closed
 * rather than the rest of the body read; a small one is read and dropped, and the connection kept.
 */
function closeIfBodyPending(request: FastifyRequest, reply: FastifyReply): void {
  const announced = announcedLength(request);
  if (!request.raw.complete && (announced === undefined || announced > smallBodyBytes)) {
    void reply.header('connection', 'close');
  }
}

/** The body size a request announces: none when sent in chunks, 0 when it has no body. */
function announcedLength(request: FastifyRequest): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined) {
    return request.headers['transfer-encoding'] === undefined ? 0 : undefined;
  }
  const bytes = Number(header);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}
