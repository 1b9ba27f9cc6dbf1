import 'reflect-metadata';
import { loadConfig, startOrExit } from '@switchboard/service-kit';
import { createSubscriptionsApp } from './bootstrap';
import { SubscriptionsConfig } from './config/subscriptions.config';

startOrExit(async () => {
  const config = loadConfig('subscriptions', SubscriptionsConfig);
  const app = await createSubscriptionsApp(config);
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  return app;
});
