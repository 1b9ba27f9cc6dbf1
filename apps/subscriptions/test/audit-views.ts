import { AuditViews } from '@switchboard/contracts';
import { serviceRole } from '@switchboard/database';
import type { SubscriptionsUnderTest } from './subscriptions-app';

/**
 * Stands in for the normalizer's audit views in the subscriptions service's own tests: one table
 * per view of the documented contract (`AuditViews`, which the normalizer's migration test pins
 * its real views to), so a test can write the rows the normalizer would have written. The service
 * may read them, as the normalizer's migrations let it read the real views.
 */
export async function createAuditViews(service: SubscriptionsUnderTest): Promise<void> {
  await service.query(`CREATE SCHEMA IF NOT EXISTS audit`);
  for (const [view, columns] of Object.entries(AuditViews)) {
    const list = Object.entries(columns).map(([name, type]) => `${name} ${type}`);
    await service.query(`CREATE TABLE ${view} (${list.join(', ')})`);
  }
  const role = serviceRole('subscriptions');
  await service.query(`GRANT USAGE ON SCHEMA audit TO ${role}`);
  await service.query(`GRANT SELECT ON ALL TABLES IN SCHEMA audit TO ${role}`);
}

/** Inserts one row into a stand-in view; columns not given are null. */
export async function insertAuditRow(
  service: SubscriptionsUnderTest,
  view: keyof typeof AuditViews,
  row: Record<string, unknown>,
): Promise<void> {
  const names = Object.keys(row);
  await service.query(
    `INSERT INTO ${view} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
    Object.values(row),
  );
}
