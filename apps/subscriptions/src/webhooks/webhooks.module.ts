import { Module } from '@nestjs/common';
import { BusinessesModule } from '../businesses/businesses.module';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { OutboxModule } from '../outbox/outbox.module';
import { AddressPolicy } from '@switchboard/address-policy';
import { SubscriptionsRepository } from './subscriptions.repository';
import { ConnectlyWebhooksController } from './connectly-webhooks.controller';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [BusinessesModule, OutboxModule],
  controllers: [WebhooksController, ConnectlyWebhooksController],
  providers: [
    {
      provide: AddressPolicy,
      useFactory: (config: SubscriptionsConfig) =>
        new AddressPolicy({
          allowHttp: config.ALLOW_HTTP_ADDRESSES,
          allowlist: config.ADDRESS_ALLOWLIST,
          lookupTimeoutMs: config.DNS_LOOKUP_TIMEOUT_MS,
        }),
      inject: [SERVICE_CONFIG],
    },
    SubscriptionsRepository,
    WebhooksService,
  ],
  exports: [WebhooksService, SubscriptionsRepository],
})
export class WebhooksModule {}
