import { grantSchemaToServiceRole, revokeSchemaFromServiceRole } from '@switchboard/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The role the subscriptions service runs as (`switchboard_subscriptions`): reads and writes the
 * tables of this schema, now and later. Of any other schema it reaches only the normalizer's
 * audit views, which the normalizer's migrations grant it.
 */
export class ServiceRole1796300000000 implements MigrationInterface {
  name = 'ServiceRole1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await grantSchemaToServiceRole(q, 'subscriptions');
  }

  async down(q: QueryRunner): Promise<void> {
    await revokeSchemaFromServiceRole(q, 'subscriptions');
  }
}
