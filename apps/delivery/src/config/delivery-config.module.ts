import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { DeliveryConfig } from './delivery.config';

/** The parsed environment, injected where a feature needs its settings. */
export const DELIVERY_CONFIG = Symbol('DELIVERY_CONFIG');

@Global()
@Module({})
export class DeliveryConfigModule {
  static forRoot(config: DeliveryConfig): DynamicModule {
    return {
      module: DeliveryConfigModule,
      providers: [{ provide: DELIVERY_CONFIG, useValue: config }],
      exports: [DELIVERY_CONFIG],
    };
  }
}
