// The subscriptions schema's migration command: `node apps/subscriptions/dist/migrate.js` (npm run migrate). Applies
// every pending migration, prints what it applied and exits; idempotent. The Kubernetes migration
// Job runs it before the services roll, which then start with DATABASE_MIGRATIONS=verify.
import { migrateAndExit } from '@switchboard/database';
import { subscriptionsMigrations } from './database/migrations';

migrateAndExit('subscriptions', subscriptionsMigrations);
