import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import fastifyStatic, { type FastifyStaticOptions } from '@fastify/static';
import { BusinessesModule } from '../businesses/businesses.module';
import { DeadLettersModule } from '../dead-letters/dead-letters.module';
import { DeliveryLogModule } from '../delivery-log/delivery-log.module';
import { EventsModule } from '../events/events.module';
import { HealthStatsModule } from '../health-stats/health-stats.module';
import { SecretsModule } from '../secrets/secrets.module';
import { SourcesModule } from '../sources/sources.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { openApiSchemas } from './api-schemas';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs/json';

/**
 * The OpenAPI 3 document of the REST API, generated from the controllers; every request and
 * response body schema is derived from the zod schema that validates or types it.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Switchboard admin API')
    .setDescription(
      'Businesses, API keys, webhook sources and webhook subscriptions. The operator key goes in ' +
        '`Authorization: Bearer`; a business key in `X-API-Key` reaches only its own business ' +
        '(any other business id answers 404). Errors are `{"error":{"code","message"}}`.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The operator key' }, 'operator')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    include: [
      BusinessesModule,
      SourcesModule,
      WebhooksModule,
      DeliveryLogModule,
      DeadLettersModule,
      HealthStatsModule,
      EventsModule,
      SecretsModule,
    ],
  });
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...openApiSchemas() },
  };
  return document;
}

/** Serves the interactive UI at `/docs` and the document at `/docs/json`. */
export function setupDocs(app: NestFastifyApplication): void {
  SwaggerModule.setup(DOCS_PATH, withLocalStaticAssets(app), () => buildOpenApiDocument(app), {
    jsonDocumentUrl: DOCS_JSON_PATH,
    yamlDocumentUrl: 'docs/yaml',
  });
}

/**
 * The Swagger UI's assets are served with `@fastify/static`, which this app depends on; Nest's
 * adapter would look it up from its own install location, where npm need not have put it. This
 * view of the app registers the plugin itself and passes everything else through.
 */
function withLocalStaticAssets(app: NestFastifyApplication): NestFastifyApplication {
  const useStaticAssets = (options: FastifyStaticOptions): NestFastifyApplication => {
    void app
      .getHttpAdapter()
      .getInstance()
      .register(fastifyStatic, {
        ...options,
        // One wildcard route: the UI's own pages (index.html, the init script) stay Nest's.
        wildcard: true,
        index: false,
      });
    return app;
  };
  return new Proxy(app, {
    get: (target, property, receiver) =>
      property === 'useStaticAssets' ? useStaticAssets : Reflect.get(target, property, receiver),
  });
}
