import { subscribe } from 'node:diagnostics_channel';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { context } from '@opentelemetry/api';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { core, NodeSDK } from '@opentelemetry/sdk-node';
import type { FastifyInstance, RouteOptions } from 'fastify';

/** Probes and scrapes are not traced: they would outnumber the webhooks. */
const untraced = /^\/(health\/|metrics(\?|$))/;

/**
 * Starts the OpenTelemetry SDK: W3C trace context and baggage propagation, traces exported by
 * OTLP as the `OTEL_*` variables say, and the instrumentations for Fastify (the server span a
 * webhook's trace starts with, named after the route), pg, undici (outbound webhooks) and
 * kafkajs. Left out: Node's generic HTTP server instrumentation (Fastify's reads the incoming
 * `traceparent` itself, and the generic one cost ingress more CPU than all the others together)
 * and NestJS's (a span per controller and handler, which would triple a webhook's spans at
 * ingress). Health probes and metric scrapes make no span. Loaded only when tracing is on.
 */
export function startSdk(serviceName: string): NodeSDK {
  const sdk = new NodeSDK({
    serviceName,
    instrumentations: [
      // One span per request, named after the route template. Neither a span per lifecycle hook
      // nor one for the handler: the handler runs in the request span's context instead
      // (`handlersInRequestContext`), so what it starts (a Kafka send) is the request's child.
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        instrumentHandler: false,
        ignorePaths: ({ url }) => untraced.test(url),
        requestHook: (span, request) =>
          span.updateName(`${request.method} ${request.routeOptions.url ?? request.url}`),
      }),
      new PgInstrumentation({ requireParentSpan: true }),
      new UndiciInstrumentation(),
      new KafkaJsSkippingSuppressed(),
    ],
  });
  sdk.start();
  // After the SDK: @fastify/otel decorates each new Fastify instance first, on the same channel.
  subscribe('fastify.initialization', (message) =>
    handlersInRequestContext((message as { fastify: FastifyInstance }).fastify),
  );
  return sdk;
}

/**
 * Runs every traced route's handler in its request span's context. The handler is called when
 * the body has been read, from the socket's callback, where the context of the request's
 * `onRequest` hook (in which @fastify/otel starts the span) is lost; its handler span restored
 * it, at the price of one more span per request.
 */
function handlersInRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (untraced.test(route.url)) return;
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, request, reply) {
      const requestContext = request.opentelemetry?.().context;
      return requestContext
        ? context.with(requestContext, handler, this, request, reply)
        : handler.call(this, request, reply);
    };
  });
}

/**
 * kafkajs's instrumentation, except that a send made with tracing suppressed goes straight to
 * kafkajs. The batching producer sends that way (`withoutInstrumentation`), having made each
 * record's `send` span itself; the instrumentation would otherwise still build an attribute set,
 * a non-recording span and a metric update per record, for nothing. Other sends (the
 * transactional producer's) are instrumented as before.
 */
class KafkaJsSkippingSuppressed extends KafkaJsInstrumentation {
  constructor() {
    super();
    // Patching happens when kafkajs is first required, after this constructor.
    const wrap = this._wrap;
    this._wrap = ((nodule: object, name: string, wrapper: (original: Send) => Send) =>
      name === 'send' || name === 'sendBatch'
        ? wrap(nodule as Record<string, Send>, name, (original: Send) => {
            const instrumented = wrapper(original);
            return function (this: unknown, ...args: unknown[]) {
              return core.isTracingSuppressed(context.active())
                ? original.apply(this, args)
                : instrumented.apply(this, args);
            };
          })
        : wrap(nodule as Record<string, Send>, name, wrapper)) as typeof wrap;
  }
}

type Send = (...args: unknown[]) => unknown;
