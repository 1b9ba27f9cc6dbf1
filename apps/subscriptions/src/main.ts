import 'reflect-metadata';
import { loadConfig, runService, startOrExit } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { SubscriptionsConfig } from './config/subscriptions.config';

startOrExit(async () => {
  const config = loadConfig('subscriptions', SubscriptionsConfig);
  return runService(AppModule.forRoot(config), { host: config.HOST, port: config.PORT });
});
