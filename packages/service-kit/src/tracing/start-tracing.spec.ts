import { propagation } from '@opentelemetry/api';
import { startTracing, stopTracing, tracingConfigured } from './start-tracing';

const sdkLoaded = (): string[] =>
  Object.keys(require.cache).filter((path) => /tracing-sdk|@opentelemetry[\\/]sdk-node/.test(path));

describe(startTracing.name, () => {
  it('starts nothing and loads no SDK when no OTLP endpoint is set', () => {
    // given an environment without OTEL_EXPORTER_OTLP_ENDPOINT
    const env: NodeJS.ProcessEnv = { OTEL_SERVICE_NAME: 'ingress' };

    // when tracing is asked to start
    const started = startTracing('ingress', env);

    // then it is off: the SDK was never loaded and no propagator is registered
    expect(started).toBe(false);
    expect(sdkLoaded()).toEqual([]);
    expect(propagation.fields()).toEqual([]);
    expect(env).toEqual({ OTEL_SERVICE_NAME: 'ingress' });
  });

  it('counts tracing as configured by either OTLP endpoint variable, unless the SDK is disabled', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(
      tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }),
    ).toBe(true);
    expect(
      tracingConfigured({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_SDK_DISABLED: 'true',
      }),
    ).toBe(false);
  });

  it('sizes the span processor for throughput when tracing starts, keeping what the environment sets', async () => {
    // given an environment with an OTLP endpoint and its own span queue size
    const env: NodeJS.ProcessEnv = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
    };

    // when tracing starts
    const started = startTracing('ingress', env);
    await stopTracing();

    // then the span processor's other settings get the service defaults, and the given one stays
    expect(started).toBe(true);
    expect(env).toMatchObject({
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '1024',
      OTEL_METRICS_EXPORTER: 'none',
    });
  });
});
