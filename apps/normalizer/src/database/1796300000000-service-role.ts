import {
  ensureServiceRole,
  grantSchemaToServiceRole,
  revokeSchemaFromServiceRole,
  serviceRole,
} from '@switchboard/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit log's tables: rows are only ever added (the triggers refuse the rest). */
const appendOnly = ['raw_webhooks', 'canonical_events', 'dead_letters', 'replays'];

/**
 * The role the normalizer runs as (`switchboard_normalizer`): reads the tables of this schema and
 * adds to them (the audit log is append-only, so it may not update or delete its rows; later
 * tables get the usual reads and writes), and reaches no other schema. The subscriptions
 * service's role may read the views of schema `audit`, the documented read contract, and nothing
 * else of this service.
 */
export class ServiceRole1796300000000 implements MigrationInterface {
  name = 'ServiceRole1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await grantSchemaToServiceRole(q, 'normalizer');
    const own = serviceRole('normalizer');
    await q.query(`REVOKE UPDATE, DELETE ON ${appendOnly.join(', ')} FROM ${own}`);
    const reader = serviceRole('subscriptions');
    await ensureServiceRole(q, reader);
    await q.query(`GRANT USAGE ON SCHEMA audit TO ${reader}`);
    await q.query(`GRANT SELECT ON ALL TABLES IN SCHEMA audit TO ${reader}`);
    // A view added later (a `_v2`) is part of the same contract.
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA audit GRANT SELECT ON TABLES TO ${reader}`);
  }

  async down(q: QueryRunner): Promise<void> {
    const reader = serviceRole('subscriptions');
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA audit REVOKE ALL ON TABLES FROM ${reader}`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA audit FROM ${reader}`);
    await q.query(`REVOKE ALL ON SCHEMA audit FROM ${reader}`);
    await revokeSchemaFromServiceRole(q, 'normalizer');
  }
}
