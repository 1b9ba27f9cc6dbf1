import type { IncomingMessage } from 'node:http';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Probes and scrapes are not traced: they would outnumber the webhooks. */
const untraced = /^\/(health\/|metrics(\?|$))/;

/**
 * Starts the OpenTelemetry SDK: W3C trace context and baggage propagation, traces exported by
 * OTLP as the `OTEL_*` variables say, and the instrumentations for HTTP servers (the span a
 * webhook's trace starts with), Fastify, NestJS, pg, undici (outbound webhooks) and kafkajs.
 * Loaded only when tracing is on.
 */
export function startSdk(serviceName: string): NodeSDK {
  const sdk = new NodeSDK({
    serviceName,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => untraced.test(request.url ?? ''),
      }),
      // The request and its handler, with the route template; a span per lifecycle hook would
      // more than double the spans of a webhook for little insight.
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        ignorePaths: ({ url }) => untraced.test(url),
      }),
      new NestInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
      new UndiciInstrumentation(),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
  return sdk;
}
