import { Module } from '@nestjs/common';
import { DELIVERY_CONFIG } from '../config/delivery-config.module';
import type { DeliveryConfig } from '../config/delivery.config';
import { AddressGuard } from './address-guard';
import { SubscriptionLanes } from './subscription-lanes';
import { WebhookSender } from './webhook-sender';

/** The HTTP side: one pooled client behind the SSRF guard, and per-subscription lanes. */
@Module({
  providers: [
    {
      provide: WebhookSender,
      useFactory: (config: DeliveryConfig) =>
        new WebhookSender({
          allowHttp: config.ALLOW_HTTP_ADDRESSES,
          guard: new AddressGuard(config.ADDRESS_ALLOWLIST),
        }),
      inject: [DELIVERY_CONFIG],
    },
    {
      provide: SubscriptionLanes,
      useFactory: (config: DeliveryConfig) =>
        new SubscriptionLanes({
          concurrency: config.SUBSCRIPTION_CONCURRENCY,
          queueLimit: config.SUBSCRIPTION_QUEUE_LIMIT,
        }),
      inject: [DELIVERY_CONFIG],
    },
  ],
  exports: [WebhookSender, SubscriptionLanes],
})
export class SendingModule {}
