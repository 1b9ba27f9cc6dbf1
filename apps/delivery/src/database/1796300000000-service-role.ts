import { grantSchemaToServiceRole, revokeSchemaFromServiceRole } from '@switchboard/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The role the delivery service runs as (`switchboard_delivery`): reads and writes the tables of
 * this schema, now and later, and reaches no other schema.
 */
export class ServiceRole1796300000000 implements MigrationInterface {
  name = 'ServiceRole1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await grantSchemaToServiceRole(q, 'delivery');
  }

  async down(q: QueryRunner): Promise<void> {
    await revokeSchemaFromServiceRole(q, 'delivery');
  }
}
