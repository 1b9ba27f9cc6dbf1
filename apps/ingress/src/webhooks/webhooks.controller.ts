import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestService } from './ingest.service';
import { WebhookRejectedError } from './ingress.errors';
import { RejectionRecorder } from './rejection.recorder';

type Query = Record<string, string | string[] | undefined>;

/** The provider-facing routes: thin, everything decided in `IngestService`. */
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly ingest: IngestService,
    private readonly rejections: RejectionRecorder,
  ) {}

  @Get('meta/:sourceId')
  handshake(
    @Param('sourceId') sourceId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    const challenge = this.guard('meta', sourceId, request, () =>
      this.ingest.handshake(sourceId, request.query as Query),
    );
    void reply.type('text/plain; charset=utf-8').send(challenge);
  }

  @Post(':route/:sourceId')
  @HttpCode(200)
  async receive(
    @Param('route') route: string,
    @Param('sourceId') sourceId: string,
    @Req() request: FastifyRequest,
  ): Promise<{ id: string }> {
    const receivedAt = new Date();
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const provider = this.guard(route, sourceId, request, () => this.ingest.route(route), body);
    try {
      return await this.ingest.ingest(provider, sourceId, {
        headers: request.headers,
        query: request.query as Query,
        body,
        contentType: request.headers['content-type'] ?? '',
        receivedAt,
      });
    } catch (err) {
      if (err instanceof WebhookRejectedError)
        this.recordRejection(route, sourceId, request, err, body);
      throw err;
    }
  }

  /** Runs a synchronous step and records it as a rejection when it refuses the request. */
  private guard<T>(
    route: string,
    sourceId: string,
    request: FastifyRequest,
    step: () => T,
    body?: Buffer,
  ): T {
    try {
      return step();
    } catch (err) {
      if (err instanceof WebhookRejectedError)
        this.recordRejection(route, sourceId, request, err, body);
      throw err;
    }
  }

  private recordRejection(
    route: string,
    sourceId: string,
    request: FastifyRequest,
    err: WebhookRejectedError,
    body: Buffer | undefined,
  ): void {
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
}
