import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sources whose one URL takes both Meta-format channel webhooks and platform events (Cunnekt). */
export class SharedEndpoint1764000000003 implements MigrationInterface {
  name = 'SharedEndpoint1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sources ADD COLUMN shared_endpoint boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sources DROP COLUMN shared_endpoint`);
  }
}
