import { AuditLog1763700000000 } from './1763700000000-audit-log';
import { DeadLetters1763700000001 } from './1763700000001-dead-letters';
import { AuditViews1763700000002 } from './1763700000002-audit-views';
import { ServiceRole1796300000000 } from './1796300000000-service-role';

/** Every migration of the normalizer's schema, oldest first. */
export const normalizerMigrations = [
  AuditLog1763700000000,
  DeadLetters1763700000001,
  AuditViews1763700000002,
  ServiceRole1796300000000,
];
