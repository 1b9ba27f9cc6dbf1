import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { Gauge, Registry } from 'prom-client';
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
      inject: [SERVICE_CONFIG],
    },
    {
      provide: SubscriptionLanes,
      useFactory: (config: DeliveryConfig, registry: Registry) => {
        const lanes = new SubscriptionLanes({
          concurrency: config.SUBSCRIPTION_CONCURRENCY,
          queueLimit: config.SUBSCRIPTION_QUEUE_LIMIT,
        });
        // Summed over every subscription's lane: a label per subscription would be unbounded.
        new Gauge({
          name: 'switchboard_delivery_lane_in_flight',
          help: 'Webhook requests in flight, over every subscription lane',
          registers: [registry],
          collect() {
            this.set(lanes.running);
          },
        });
        new Gauge({
          name: 'switchboard_delivery_lane_queued',
          help: 'Attempts holding a lane place but not yet sent, over every subscription lane',
          registers: [registry],
          collect() {
            this.set(lanes.queued);
          },
        });
        return lanes;
      },
      inject: [SERVICE_CONFIG, Registry],
    },
  ],
  exports: [WebhookSender, SubscriptionLanes],
})
export class SendingModule {}
