import { type DynamicModule, Global, Module } from '@nestjs/common';
import { SUBSCRIPTIONS_CONFIG } from './config.tokens';
import type { SubscriptionsConfig } from './subscriptions.config';

/** Hands the parsed configuration to every provider that asks for `SUBSCRIPTIONS_CONFIG`. */
@Global()
@Module({})
export class SubscriptionsConfigModule {
  static forRoot(config: SubscriptionsConfig): DynamicModule {
    return {
      module: SubscriptionsConfigModule,
      providers: [{ provide: SUBSCRIPTIONS_CONFIG, useValue: config }],
      exports: [SUBSCRIPTIONS_CONFIG],
    };
  }
}
