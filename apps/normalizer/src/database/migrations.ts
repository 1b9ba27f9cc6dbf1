import { AuditLog1763700000000 } from './1763700000000-audit-log';

/** Every migration of the normalizer's schema, oldest first. */
export const normalizerMigrations = [AuditLog1763700000000];
