import { Module } from '@nestjs/common';
import { SubscriptionConfigConsumer } from './subscription-config.consumer';
import { SubscriptionRegistry } from './subscription-registry';

/** The subscriptions, in memory from the compacted config topic. */
@Module({
  providers: [
    { provide: SubscriptionRegistry, useFactory: () => new SubscriptionRegistry() },
    SubscriptionConfigConsumer,
  ],
  exports: [SubscriptionRegistry, SubscriptionConfigConsumer],
})
export class SubscriptionsModule {}
