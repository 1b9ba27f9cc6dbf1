import { type DynamicModule, Global, Inject, Module } from '@nestjs/common';

/** The token of the service's parsed configuration (see {@link ServiceConfigModule}). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/**
 * Injects the service's configuration, typed by the parameter it decorates:
 * `constructor(@InjectConfig() config: DeliveryConfig)`.
 */
export const InjectConfig = (): PropertyDecorator & ParameterDecorator => Inject(SERVICE_CONFIG);

/**
 * The one configuration module of every service: `main.ts` parses the environment once with the
 * service's zod schema (`loadConfig`) and hands the result here; every provider that needs a
 * setting injects it with {@link InjectConfig}. Nothing else reads `process.env`.
 */
@Global()
@Module({})
export class ServiceConfigModule {
  static forRoot<C extends object>(config: C): DynamicModule {
    return {
      module: ServiceConfigModule,
      providers: [{ provide: SERVICE_CONFIG, useValue: config }],
      exports: [SERVICE_CONFIG],
    };
  }
}
