import { Deliveries1764100000000 } from './1764100000000-deliveries';
import { PartialIndexes1764900000000 } from './1764900000000-partial-indexes';

/** Every migration of the delivery service's schema, oldest first. */
export const deliveryMigrations = [Deliveries1764100000000, PartialIndexes1764900000000];
