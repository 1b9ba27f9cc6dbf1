import { Deliveries1764100000000 } from './1764100000000-deliveries';

/** Every migration of the delivery service's schema, oldest first. */
export const deliveryMigrations = [Deliveries1764100000000];
