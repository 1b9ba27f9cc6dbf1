import { AdminConfig1764000000000 } from './1764000000000-admin-config';
import { DeliveryLog1764000000001 } from './1764000000001-delivery-log';
import { ProviderSettings1764000000002 } from './1764000000002-provider-settings';
import { SharedEndpoint1764000000003 } from './1764000000003-shared-endpoint';
import { ServiceRole1796300000000 } from './1796300000000-service-role';

/** Every migration of the subscriptions schema, oldest first. */
export const subscriptionsMigrations = [
  AdminConfig1764000000000,
  DeliveryLog1764000000001,
  ProviderSettings1764000000002,
  SharedEndpoint1764000000003,
  ServiceRole1796300000000,
];
