import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IngestService, type ReceivedWebhook } from './ingest.service';
import { WebhookRejectedError } from './ingress.errors';
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
 */
@Injectable()
export class WebhookRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly ingest: IngestService,
    private readonly rejections: RejectionRecorder,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get<HandshakeRoute>('/webhooks/meta/:sourceId', (request, reply) =>
      this.handshake(request, reply),
    );
    fastify.post<WebhookRoute>('/webhooks/:route/:sourceId', (request, reply) =>
      this.receive(request, reply),
    );
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
    if (name === '' || sourceId === '') return void reply.callNotFound();
    const body = Buffer.isBuffer(request.body) ? request.body : noBody;
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
    stored.then(
      (id) => {
        // The id is a UUID: nothing in it needs escaping.
        void reply.type('application/json; charset=utf-8').send(`{"id":"${id}"}`);
      },
      (err: unknown) => this.refuse(request, reply, name, sourceId, err, body),
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
    void reply.send(err instanceof Error ? err : new Error(String(err)));
  }
}
