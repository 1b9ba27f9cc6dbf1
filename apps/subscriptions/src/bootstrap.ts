import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createService } from '@switchboard/service-kit';
import { refuseUnstorableParams } from './common/storable-params';
import { AppModule } from './app.module';
import { serveConsole } from './console/console-static';
import type { SubscriptionsConfig } from './config/subscriptions.config';
import { connectGrpc } from './grpc/grpc.options';
import { useBodyParsers } from './http/body-parsers';
import { setupDocs } from './openapi/openapi';

export interface CreateAppOptions {
  /** Extra set-up before the server starts (tests register hooks here). */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * The subscriptions application, not yet listening: REST (with `/docs`) on Fastify and the gRPC
 * server as a connected microservice. `main` listens; tests `init` and inject.
 */
export function createSubscriptionsApp(
  config: SubscriptionsConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  return createService(AppModule.forRoot(config), {
    configure: async (app) => {
      useBodyParsers(app);
      refuseUnstorableParams(app.getHttpAdapter().getInstance());
      setupDocs(app);
      serveConsole(app);
      connectGrpc(app, config);
      await options.configure?.(app);
    },
  });
}
