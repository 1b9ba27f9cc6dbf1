import {
  type DynamicModule,
  Global,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ErrorTranslation } from './errors/error-translation';
import { HttpErrorFilter } from './errors/http-error.filter';
import { HealthController } from './health/health.controller';
import { LivenessService } from './health/liveness.service';
import { ReadinessService } from './health/readiness.service';
import { loggerOptions } from './logging/logger-options';
import { MetricsController } from './metrics/metrics.controller';
import { stopTracing } from './tracing/start-tracing';

/** How long shutdown waits for the last spans to be exported (a collector may be unreachable). */
const TRACING_FLUSH_MS = 2_000;

/** On shutdown, exports the spans still buffered (nothing to do when tracing is off). */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      stopTracing().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, TRACING_FLUSH_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }
}

export interface ServiceKitOptions {
  service: string;
  logLevel: string;
  /**
   * Routes (Nest path syntax, e.g. `webhooks/{*path}`) whose requests get no request-scoped
   * logger: building one (a redacted child logger per request) costs more than a hot route's own
   * work, and such routes log nothing per request anyway.
   */
  unloggedRoutes?: string[];
}

/**
 * Everything a Switchboard service serves besides its own work: JSON logs, `/health/live`,
 * `/health/ready`, `/metrics`, and the one mapping from errors to `{"error":{"code","message"}}`.
 */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [
        LoggerModule.forRoot(
          loggerOptions(options.service, options.logLevel, options.unloggedRoutes ?? []),
        ),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: ReadinessService, useFactory: () => new ReadinessService() },
        LivenessService,
        ErrorTranslation,
        TracingShutdown,
        {
          provide: Registry,
          useFactory: () => {
            const registry = new Registry();
            registry.setDefaultLabels({ service: options.service });
            collectDefaultMetrics({ register: registry });
            return registry;
          },
        },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
      exports: [ReadinessService, LivenessService, ErrorTranslation, Registry],
    };
  }
}
