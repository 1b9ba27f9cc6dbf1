import type { NodeSDK } from '@opentelemetry/sdk-node';

let started: NodeSDK | null = null;

/**
 * Starts tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is
 * set, and does nothing otherwise: the SDK is not even loaded, no propagator is registered, and
 * the Kafka producer and consumers skip every context step. Call it first in `main.ts`, before
 * NestJS, Fastify, pg, undici or kafkajs are loaded, so the instrumentations can patch them.
 * Metrics and logs stay with Prometheus and pino: `OTEL_METRICS_EXPORTER` and
 * `OTEL_LOGS_EXPORTER` default to `none`. Returns whether tracing is on.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (started) return true;
  if (!tracingConfigured(env)) return false;
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  // Loaded here, not imported above: with tracing off the SDK costs nothing, not even its load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  started = startSdk(env.OTEL_SERVICE_NAME ?? serviceName);
  return true;
}

/** True when an OTLP endpoint is configured and the SDK is not disabled (`OTEL_SDK_DISABLED`). */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Exports the spans still buffered and stops the SDK (no-op when tracing is off). */
export async function stopTracing(): Promise<void> {
  const sdk = started;
  started = null;
  await sdk?.shutdown();
}
