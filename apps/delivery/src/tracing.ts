import { startTracing } from '@switchboard/service-kit/tracing';

// Imported first by main.ts: the instrumentations patch modules as they load, so the SDK starts
// before NestJS, Fastify, pg, undici or kafkajs are required. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
startTracing('delivery');
