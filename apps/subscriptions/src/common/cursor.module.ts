import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { CursorCodec } from './cursor';

/** The cursor codec of the paged lists, keyed from the configuration. */
@Module({
  providers: [
    {
      provide: CursorCodec,
      useFactory: (config: SubscriptionsConfig) => new CursorCodec(config.cursorKey),
      inject: [SERVICE_CONFIG],
    },
  ],
  exports: [CursorCodec],
})
export class CursorModule {}
