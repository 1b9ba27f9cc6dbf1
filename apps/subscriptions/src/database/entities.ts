import { ApiKeyEntity } from '../auth/api-key.entity';
import { BusinessEntity } from '../businesses/business.entity';
import {
  DeliveryAttemptEntity,
  DeliveryEntity,
  SubscriptionHealthEntity,
} from '../delivery-log/delivery-log.entities';
import { OutboxEntity } from '../outbox/outbox.entity';
import { SourceEntity } from '../sources/source.entity';
import { SubscriptionEntity } from '../webhooks/subscription.entity';

/** Every table the subscriptions service owns. */
export const subscriptionsEntities = [
  BusinessEntity,
  ApiKeyEntity,
  SourceEntity,
  SubscriptionEntity,
  OutboxEntity,
  DeliveryAttemptEntity,
  DeliveryEntity,
  SubscriptionHealthEntity,
];
