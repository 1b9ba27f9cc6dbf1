import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EndpointHealth, EndpointState, HealthChange } from './endpoint-health';

interface HealthRow {
  state: EndpointState;
  consecutive_failures: number;
  first_failure_at: Date | null;
  last_failure_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  disabled_version: number | null;
}

export interface HealthKey {
  subscriptionId: string;
  businessId: string;
  topic: string;
}

/** Persists endpoint health; the transitions are decided by the caller. */
@Injectable()
export class SubscriptionHealthRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Reads the health of several subscriptions under row locks, lets `decide` work out each one's
   * change, and stores the changed ones, all in one transaction, so instances attempting the same
   * endpoints count every failure once and announce each transition once. A subscription without
   * a row is healthy (`decide` gets null); rows are created for the keys marked `create`.
   */
  async updateMany<C extends HealthChange>(
    keys: readonly (HealthKey & { create: boolean })[],
    decide: (subscriptionId: string, current: EndpointHealth | null) => C,
  ): Promise<Map<string, C>> {
    if (keys.length === 0) return new Map();
    return this.dataSource.transaction(async (manager) => {
      const created = keys.filter((k) => k.create);
      if (created.length > 0) {
        await manager.query(
          `INSERT INTO subscription_health (subscription_id, business_id, topic, state)
           SELECT subscription_id, business_id, topic, 'active'
           FROM unnest($1::text[], $2::text[], $3::text[]) AS k(subscription_id, business_id, topic)
           ON CONFLICT (subscription_id) DO NOTHING`,
          [
            created.map((k) => k.subscriptionId),
            created.map((k) => k.businessId),
            created.map((k) => k.topic),
          ],
        );
      }
      const rows: (HealthRow & { subscription_id: string })[] = await manager.query(
        `SELECT subscription_id, state, consecutive_failures, first_failure_at, last_failure_at,
                last_success_at, last_error, disabled_version
         FROM subscription_health WHERE subscription_id = ANY($1::text[])
         ORDER BY subscription_id FOR UPDATE`,
        [keys.map((k) => k.subscriptionId)],
      );
      const current = new Map(rows.map((r) => [r.subscription_id, toHealth(r)]));
      const changes = new Map<string, C>();
      const stored: [string, EndpointHealth][] = [];
      for (const { subscriptionId } of keys) {
        const row = current.get(subscriptionId) ?? null;
        const change = decide(subscriptionId, row);
        changes.set(subscriptionId, change);
        if (row && change.changed) stored.push([subscriptionId, change.next]);
      }
      if (stored.length > 0) {
        const column = <T>(pick: (h: EndpointHealth) => T) => stored.map(([, h]) => pick(h));
        await manager.query(
          `UPDATE subscription_health h
           SET state = n.state, consecutive_failures = n.consecutive_failures,
               first_failure_at = n.first_failure_at, last_failure_at = n.last_failure_at,
               last_success_at = n.last_success_at, last_error = n.last_error,
               disabled_version = n.disabled_version, updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::integer[], $4::timestamptz[],
                       $5::timestamptz[], $6::timestamptz[], $7::text[], $8::integer[])
             AS n(subscription_id, state, consecutive_failures, first_failure_at, last_failure_at,
                  last_success_at, last_error, disabled_version)
           WHERE h.subscription_id = n.subscription_id`,
          [
            stored.map(([id]) => id),
            column((h) => h.state),
            column((h) => h.consecutiveFailures),
            column((h) => h.firstFailureAt),
            column((h) => h.lastFailureAt),
            column((h) => h.lastSuccessAt),
            column((h) => h.lastError),
            column((h) => h.disabledVersion),
          ],
        );
      }
      return changes;
    });
  }

  /** Subscriptions delivery disabled, with the record version each disable holds for. */
  async disabled(): Promise<{ subscriptionId: string; version: number }[]> {
    const rows: { subscription_id: string; disabled_version: number }[] =
      await this.dataSource.query(
        `SELECT subscription_id, disabled_version FROM subscription_health
         WHERE state = 'disabled' AND disabled_version IS NOT NULL`,
      );
    return rows.map((r) => ({ subscriptionId: r.subscription_id, version: r.disabled_version }));
  }
}

function toHealth(row: HealthRow): EndpointHealth {
  return {
    state: row.state,
    consecutiveFailures: row.consecutive_failures,
    firstFailureAt: row.first_failure_at,
    lastFailureAt: row.last_failure_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    disabledVersion: row.disabled_version,
  };
}
