import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RunServiceOptions } from '@switchboard/service-kit';
import type { FastifyHttpOptions } from 'fastify';
import type { IngressConfig } from '../config/ingress.config';
import { configureBodyParsing } from '../webhooks/body-parsing';

/** Health and metrics take no body; only the webhook routes take `BODY_LIMIT_BYTES`. */
export const otherRoutesBodyLimit = 16 * 1024;

/**
 * How often Node checks the request and header deadlines. Its default (30 s) would let a request
 * outlive its deadline by up to 30 s.
 */
const deadlineCheckIntervalMs = 1_000;

/**
 * The HTTP server ingress runs on: every connection has deadlines for its headers, its whole
 * request and its idle time, serves a bounded number of requests, and there are only so many
 * connections. A connection waiting for Kafka's acknowledgement is not idle by these measures
 * (its request has arrived), so no deadline here cuts a webhook short while it is being stored.
 */
export function ingressServerOptions(
  config: IngressConfig,
): Omit<RunServiceOptions, 'host' | 'port'> {
  const fastify: FastifyHttpOptions<Server> = {
    bodyLimit: otherRoutesBodyLimit,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    maxRequestsPerSocket: config.MAX_REQUESTS_PER_SOCKET,
    http: {
      headersTimeout: config.HEADERS_TIMEOUT_MS,
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: deadlineCheckIntervalMs,
    },
  };
  return {
    bodyParser: false,
    fastify,
    configure: (app: NestFastifyApplication) => {
      app.getHttpServer().maxConnections = config.MAX_CONNECTIONS;
      configureBodyParsing(app, config.BODY_LIMIT_BYTES);
    },
  };
}
