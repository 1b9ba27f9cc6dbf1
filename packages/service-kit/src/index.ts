export * from './config/load-config';
export * from './errors/app-error';
export * from './errors/http-error.filter';
export * from './health/liveness.service';
export * from './health/readiness.service';
export * from './logging/logger-options';
export * from './bootstrap/run-service';
export { ServiceKitModule, type ServiceKitOptions } from './service-kit.module';
