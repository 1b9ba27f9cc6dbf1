import 'reflect-metadata';
import { loadConfig, runService, startOrExit } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { IngressConfig } from './config/ingress.config';
import { configureBodyParsing } from './webhooks/body-parsing';

startOrExit(async () => {
  const config = loadConfig('ingress', IngressConfig);
  return runService(AppModule.forRoot(config), {
    host: config.HOST,
    port: config.PORT,
    bodyParser: false,
    fastify: { bodyLimit: config.BODY_LIMIT_BYTES },
    configure: (app) => configureBodyParsing(app, config.BODY_LIMIT_BYTES),
  });
});
