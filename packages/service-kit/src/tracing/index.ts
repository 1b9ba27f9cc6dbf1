export { startTracing, stopTracing, tracingConfigured } from './start-tracing';
