import type { NodeSDK } from '@opentelemetry/sdk-node';

let started: NodeSDK | null = null;

/**
 * Starts tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is
 * set, and does nothing otherwise: the SDK is not even loaded, no propagator is registered, and
 * the Kafka producer and consumers skip every context step. Call it first in `main.ts`, before
 * NestJS, Fastify, pg, undici or kafkajs are loaded, so the instrumentations can patch them.
 * Metrics and logs stay with Prometheus and pino: `OTEL_METRICS_EXPORTER` and
 * `OTEL_LOGS_EXPORTER` default to `none`; the span processor gets {@link spanProcessorDefaults}.
 * Returns whether tracing is on.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (started) return true;
  if (!tracingConfigured(env)) return false;
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  for (const [name, value] of Object.entries(spanProcessorDefaults)) env[name] ??= value;
  // Loaded here, not imported above: with tracing off the SDK costs nothing, not even its load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  started = startSdk(env.OTEL_SERVICE_NAME ?? serviceName);
  return true;
}

/**
 * The batch span processor's defaults for a service taking thousands of requests a second (an
 * `OTEL_BSP_*` variable set in the environment wins). The queue holds 8192 finished spans: the
 * SDK's 2048 fill in about a second at ingress's rate while an export waits on a slow collector,
 * and spans past it are dropped. Exports stay at 512 spans (the SDK's): a batch is serialized in
 * one go on the event loop, and a bigger one would hold requests longer for a saving too small to
 * measure (an export's fixed cost is one HTTP request). Fewer than 512 waiting are exported after
 * a second, not the SDK's 5 s, so traces show up soon at low load. Attribute values are cut at
 * 1024 characters: a request path or an error message cannot make a span grow without bound.
 */
export const spanProcessorDefaults: Readonly<Record<string, string>> = {
  OTEL_BSP_MAX_QUEUE_SIZE: '8192',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512',
  OTEL_BSP_SCHEDULE_DELAY: '1000',
  OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '1024',
};

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
