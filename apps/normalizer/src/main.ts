import './tracing';
import 'reflect-metadata';
import { limitShutdown, loadConfig, runService, startOrExit } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { NormalizerConfig } from './config/normalizer.config';

startOrExit(async () => {
  const config = loadConfig('normalizer', NormalizerConfig);
  limitShutdown(config.SHUTDOWN_TIMEOUT_MS);
  return runService(AppModule.forRoot(config), { host: config.HOST, port: config.PORT });
});
