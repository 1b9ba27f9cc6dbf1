import { Deliveries1764100000000 } from './1764100000000-deliveries';
import { PartialIndexes1764900000000 } from './1764900000000-partial-indexes';
import { Ordering1765200000000 } from './1765200000000-ordering';
import { ServiceRole1796300000000 } from './1796300000000-service-role';

/** Every migration of the delivery service's schema, oldest first. */
export const deliveryMigrations = [
  Deliveries1764100000000,
  PartialIndexes1764900000000,
  Ordering1765200000000,
  ServiceRole1796300000000,
];
