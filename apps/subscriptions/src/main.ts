import './tracing';
import 'reflect-metadata';
import { limitShutdown, loadConfig, startOrExit } from '@switchboard/service-kit';
import { createSubscriptionsApp } from './bootstrap';
import { SubscriptionsConfig } from './config/subscriptions.config';

startOrExit(async () => {
  const config = loadConfig('subscriptions', SubscriptionsConfig);
  limitShutdown(config.SHUTDOWN_TIMEOUT_MS);
  const app = await createSubscriptionsApp(config);
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  return app;
});
