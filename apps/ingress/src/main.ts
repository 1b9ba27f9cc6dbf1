import './tracing';
import 'reflect-metadata';
import { limitShutdown, loadConfig, runService, startOrExit } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { IngressConfig } from './config/ingress.config';
import { ingressServerOptions } from './server/ingress-server';

startOrExit(async () => {
  const config = loadConfig('ingress', IngressConfig);
  limitShutdown(config.SHUTDOWN_TIMEOUT_MS);
  return runService(AppModule.forRoot(config), {
    host: config.HOST,
    port: config.PORT,
    ...ingressServerOptions(config),
  });
});
