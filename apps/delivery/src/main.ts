import './tracing';
import 'reflect-metadata';
import { limitShutdown, loadConfig, runService, startOrExit } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { DeliveryConfig } from './config/delivery.config';

startOrExit(async () => {
  const config = loadConfig('delivery', DeliveryConfig);
  limitShutdown(config.SHUTDOWN_TIMEOUT_MS);
  return runService(AppModule.forRoot(config), { host: config.HOST, port: config.PORT });
});
