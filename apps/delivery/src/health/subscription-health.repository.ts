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
   * Reads a subscription's health under a row lock, lets `decide` work out the change, and stores
   * it when there is one, in one transaction, so concurrent attempts to the same endpoint count
   * every failure once and announce each transition once. A subscription without a row is
   * healthy; its row is created only when `create` is true.
   */
  async update(
    key: HealthKey,
    create: boolean,
    decide: (current: EndpointHealth | null) => HealthChange,
  ): Promise<HealthChange> {
    return this.dataSource.transaction(async (manager) => {
      if (create) {
        await manager.query(
          `INSERT INTO subscription_health (subscription_id, business_id, topic, state)
           VALUES ($1, $2, $3, 'active') ON CONFLICT (subscription_id) DO NOTHING`,
          [key.subscriptionId, key.businessId, key.topic],
        );
      }
      const rows: HealthRow[] = await manager.query(
        `SELECT state, consecutive_failures, first_failure_at, last_failure_at, last_success_at,
                last_error, disabled_version
         FROM subscription_health WHERE subscription_id = $1 FOR UPDATE`,
        [key.subscriptionId],
      );
      const row = rows[0];
      const change = decide(row ? toHealth(row) : null);
      if (row && change.changed) {
        const next = change.next;
        await manager.query(
          `UPDATE subscription_health
           SET state = $2, consecutive_failures = $3, first_failure_at = $4, last_failure_at = $5,
               last_success_at = $6, last_error = $7, disabled_version = $8, updated_at = now()
           WHERE subscription_id = $1`,
          [
            key.subscriptionId,
            next.state,
            next.consecutiveFailures,
            next.firstFailureAt,
            next.lastFailureAt,
            next.lastSuccessAt,
            next.lastError,
            next.disabledVersion,
          ],
        );
      }
      return change;
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
