import { FastifyOtelInstrumentation } from '@fastify/otel';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Probes and scrapes are not traced: they would outnumber the webhooks. */
const untraced = /^\/(health\/|metrics(\?|$))/;

/**
 * Starts the OpenTelemetry SDK: W3C trace context and baggage propagation, traces exported by
 * OTLP as the `OTEL_*` variables say, and the instrumentations for Fastify (the server span a
 * webhook's trace starts with, named after the route), NestJS, pg, undici (outbound webhooks) and
 * kafkajs. Node's generic HTTP server instrumentation is left out: Fastify's reads the incoming
 * `traceparent` itself, and the generic one cost ingress more CPU than all the others together.
 * Loaded only when tracing is on.
 */
export function startSdk(serviceName: string): NodeSDK {
  const sdk = new NodeSDK({
    serviceName,
    instrumentations: [
      // The request and its handler, with the route template; a span per lifecycle hook would
      // more than double the spans of a webhook for little insight.
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        ignorePaths: ({ url }) => untraced.test(url),
        requestHook: (span, request) =>
          span.updateName(`${request.method} ${request.routeOptions.url ?? request.url}`),
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
