import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Provider settings: how a source is verified when not by its route's scheme (a Cunnekt static
 * header token), and what a Connectly registration carried that Switchboard keeps without acting
 * on (its `type` and WebEngage configuration, the token sealed).
 */
export class ProviderSettings1764000000002 implements MigrationInterface {
  name = 'ProviderSettings1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sources ADD COLUMN verification jsonb`);
    await q.query(`ALTER TABLE subscriptions ADD COLUMN provider_settings jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions DROP COLUMN provider_settings`);
    await q.query(`ALTER TABLE sources DROP COLUMN verification`);
  }
}
