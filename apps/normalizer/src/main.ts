import 'reflect-metadata';
import { loadConfig, runService, startOrExit } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { NormalizerConfig } from './config/normalizer.config';

startOrExit(async () => {
  const config = loadConfig('normalizer', NormalizerConfig);
  return runService(AppModule.forRoot(config), { host: config.HOST, port: config.PORT });
});
