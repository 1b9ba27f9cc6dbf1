import { AdminConfig1764000000000 } from './1764000000000-admin-config';
import { DeliveryLog1764000000001 } from './1764000000001-delivery-log';

/** Every migration of the subscriptions schema, oldest first. */
export const subscriptionsMigrations = [AdminConfig1764000000000, DeliveryLog1764000000001];
