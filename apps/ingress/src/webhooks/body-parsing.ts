import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError } from 'fastify';
import { restoreContentType } from './content-types';
import type { RejectionReason } from './ingress.errors';
import { RejectionRecorder } from './rejection.recorder';

/**
 * Webhook bodies are kept as the exact bytes received (signatures are over bytes, and the raw
 * webhook is stored byte for byte), whatever their content type: the request is verified before
 * its type matters (see `bodyVerdict`), and JSON is parsed later, by the normalizer. Bodies over
 * the webhook route's limit (`bodyLimit`, named in the 413's message) answer 413 (mapped once, in
 * the service kit's error filter) and are recorded as rejections here.
 */
export function configureBodyParsing(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  // Every content type is read as bytes, within the route's body limit (the webhook route sets
  // its own; other routes keep the server's small one).
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  const rejections = app.get(RejectionRecorder);
  // Answers are made by the service's error mapping; this hook only records the rejection.
  fastify.addHook('onError', (request, _reply, error: FastifyError, done) => {
    const reason = reasonOf(error);
    if (reason !== undefined && request.url.startsWith('/webhooks/')) {
      restoreContentType(request);
      const [, , route, sourceId] = request.url.split('?')[0]?.split('/') ?? [];
      rejections.record({
        route: route || 'unknown',
        method: request.method,
        sourceId: sourceId || 'unknown',
        businessId: null,
        reason,
        message: messageOf(reason, bodyLimit),
        remoteAddress: request.ip,
        headers: request.headers,
        body: undefined,
        bodyBytes: Number(request.headers['content-length'] ?? 0) || 0,
        receivedAt: new Date(),
      });
    }
    done();
  });
}

type ParserRejection = Extract<
  RejectionReason,
  'body_too_large' | 'unsupported_media_type' | 'malformed_request'
>;

function reasonOf(error: FastifyError): ParserRejection | undefined {
  if (!error.code?.startsWith('FST_ERR_CTP_')) return undefined;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'body_too_large';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'unsupported_media_type';
  return 'malformed_request';
}

function messageOf(reason: ParserRejection, bodyLimit: number): string {
  switch (reason) {
    case 'body_too_large':
      return `The body is larger than ${bodyLimit} bytes`;
    case 'unsupported_media_type':
      return 'The Content-Type could not be read';
    case 'malformed_request':
      return 'The request could not be read';
  }
}
