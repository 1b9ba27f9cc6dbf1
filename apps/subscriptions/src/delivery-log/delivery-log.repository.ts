import { Injectable } from '@nestjs/common';
import type {
  DeliveryAttempt,
  DeliveryOutcome,
  SubscriptionHealthEvent,
  SubscriptionTopic,
} from '@switchboard/contracts';
import { type PreparedStatement, runPrepared } from '@switchboard/database';
import { DataSource, MoreThanOrEqual } from 'typeorm';
import {
  DeliveryAttemptEntity,
  DeliveryEntity,
  SubscriptionHealthEntity,
} from './delivery-log.entities';

export interface DeliveryFilter {
  topic?: SubscriptionTopic;
  outcome?: DeliveryOutcome;
  /** An exact event type, or a family prefix (`platform.campaign.`) when `eventTypePrefix` is set. */
  eventType?: string;
  eventTypePrefix?: boolean;
  /** Latest activity at or after `since` and before `until`. */
  since?: string;
  until?: string;
  limit: number;
  /** Continue after this delivery (the last of the previous page). */
  after?: { lastAttemptAt: Date; id: string };
}

export interface AttemptStats {
  succeeded: number;
  failed: number;
  deadLettered: number;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
}

/** Attempt figures over one time window. */
export interface WindowStats {
  attempts: number;
  succeeded: number;
  /** Attempts that did not succeed (failed or dead-lettered). */
  failed: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
}

/** The latest failures of a subscription's endpoint, from its recorded attempts. */
export interface FailureStreak {
  /** Attempts since the latest success (all recorded ones when none succeeded). */
  consecutiveFailures: number;
  lastAttemptAt: Date | null;
  lastError: { at: Date; statusCode: number | null; error: string | null } | null;
}

const healthStatus: Record<SubscriptionHealthEvent['type'], SubscriptionHealthEntity['status']> = {
  'subscription.failing': 'failing',
  'subscription.disabled': 'disabled',
  'subscription.recovered': 'healthy',
};

/** A batch's attempt is newer than the stored one: a higher number, or the same one later. */
const NEWER =
  '(EXCLUDED.attempts, EXCLUDED.last_attempt_at) >= (old.attempts, old.last_attempt_at)';

/** Attempts once each (by id), then each delivery's latest state from the batch. */
const RECORD_ATTEMPTS: PreparedStatement = {
  name: 'subscriptions_record_attempts',
  text: `WITH attempts AS (
           INSERT INTO delivery_attempts (id, delivery_id, event_id, event_type, business_id,
             subscription_id, topic, attempt, attempted_at, outcome, status_code, latency_ms,
             error, response_body, next_attempt_at)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
             $6::text[], $7::text[], $8::int[], $9::timestamptz[], $10::text[], $11::int[],
             $12::float8[], $13::text[], $14::text[], $15::timestamptz[])
           ON CONFLICT (id) DO NOTHING
         )
         INSERT INTO deliveries AS old (id, business_id, subscription_id, topic, event_id,
           event_type, attempts, outcome, status_code, error, first_attempt_at, last_attempt_at,
           next_attempt_at)
         SELECT * FROM unnest($16::text[], $17::text[], $18::text[], $19::text[], $20::text[],
           $21::text[], $22::int[], $23::text[], $24::int[], $25::text[], $26::timestamptz[],
           $27::timestamptz[], $28::timestamptz[])
         ON CONFLICT (id) DO UPDATE SET
           first_attempt_at = LEAST(old.first_attempt_at, EXCLUDED.first_attempt_at),
           attempts = GREATEST(old.attempts, EXCLUDED.attempts),
           outcome = CASE WHEN ${NEWER} THEN EXCLUDED.outcome ELSE old.outcome END,
           status_code = CASE WHEN ${NEWER} THEN EXCLUDED.status_code ELSE old.status_code END,
           error = CASE WHEN ${NEWER} THEN EXCLUDED.error ELSE old.error END,
           next_attempt_at = CASE WHEN ${NEWER} THEN EXCLUDED.next_attempt_at
                             ELSE old.next_attempt_at END,
           last_attempt_at = GREATEST(old.last_attempt_at, EXCLUDED.last_attempt_at)`,
};

/** Stores the delivery log read model and answers its queries. Idempotent: records may come twice. */
@Injectable()
export class DeliveryLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores attempts (once each) and each delivery's latest state, in one prepared statement (the
   * two inserts of a data-modifying CTE commit together, without a transaction's round trips).
   */
  async recordAttempts(attempts: readonly DeliveryAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    const a = attempts;
    // The latest attempt (highest number, then latest time) decides a delivery's state, whatever
    // order attempts arrive in: one upsert from this batch, no re-read of the log.
    const latest = new Map<string, DeliveryAttempt>();
    const firstAt = new Map<string, string>();
    for (const x of a) {
      const seen = latest.get(x.deliveryId);
      if (
        !seen ||
        x.attempt > seen.attempt ||
        (x.attempt === seen.attempt && x.attemptedAt > seen.attemptedAt)
      ) {
        latest.set(x.deliveryId, x);
      }
      const first = firstAt.get(x.deliveryId);
      if (first === undefined || Date.parse(x.attemptedAt) < Date.parse(first)) {
        firstAt.set(x.deliveryId, x.attemptedAt);
      }
    }
    const d = [...latest.values()];
    await runPrepared(this.dataSource, RECORD_ATTEMPTS, [
      a.map((x) => x.id),
      a.map((x) => x.deliveryId),
      a.map((x) => x.eventId),
      a.map((x) => x.eventType),
      a.map((x) => x.businessId),
      a.map((x) => x.subscriptionId),
      a.map((x) => x.topic),
      a.map((x) => x.attempt),
      a.map((x) => x.attemptedAt),
      a.map((x) => x.outcome),
      a.map((x) => x.statusCode),
      a.map((x) => x.latencyMs),
      a.map((x) => x.error),
      a.map((x) => x.responseBody),
      a.map((x) => x.nextAttemptAt),
      d.map((x) => x.deliveryId),
      d.map((x) => x.businessId),
      d.map((x) => x.subscriptionId),
      d.map((x) => x.topic),
      d.map((x) => x.eventId),
      d.map((x) => x.eventType),
      d.map((x) => x.attempt),
      d.map((x) => x.outcome),
      d.map((x) => x.statusCode),
      d.map((x) => x.error),
      d.map((x) => firstAt.get(x.deliveryId)!),
      d.map((x) => x.attemptedAt),
      d.map((x) => x.nextAttemptAt),
    ]);
  }

  /** Keeps each subscription's latest announced health; an older announcement changes nothing. */
  async recordHealth(events: readonly SubscriptionHealthEvent[]): Promise<void> {
    for (const e of events) {
      await this.dataSource.query(
        `INSERT INTO subscription_health (subscription_id, business_id, topic, status,
           consecutive_failures, reason, changed_at, event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (subscription_id) DO UPDATE SET status = EXCLUDED.status,
           consecutive_failures = EXCLUDED.consecutive_failures, reason = EXCLUDED.reason,
           changed_at = EXCLUDED.changed_at, event_id = EXCLUDED.event_id,
           business_id = EXCLUDED.business_id, topic = EXCLUDED.topic
         WHERE subscription_health.changed_at <= EXCLUDED.changed_at`,
        [
          e.subscriptionId,
          e.businessId,
          e.topic,
          healthStatus[e.type],
          e.consecutiveFailures,
          e.reason,
          e.occurredAt,
          e.id,
        ],
      );
    }
  }

  /** A page of the business's deliveries, latest activity first (one more than `limit` if any). */
  listDeliveries(businessId: string, filter: DeliveryFilter): Promise<DeliveryEntity[]> {
    const query = this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .where('d.business_id = :businessId', { businessId })
      .orderBy('d.last_attempt_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .take(filter.limit + 1);
    if (filter.topic) query.andWhere('d.topic = :topic', { topic: filter.topic });
    if (filter.outcome) query.andWhere('d.outcome = :outcome', { outcome: filter.outcome });
    if (filter.eventType && filter.eventTypePrefix) {
      query.andWhere('starts_with(d.event_type, :eventType)', { eventType: filter.eventType });
    } else if (filter.eventType) {
      query.andWhere('d.event_type = :eventType', { eventType: filter.eventType });
    }
    if (filter.since) query.andWhere('d.last_attempt_at >= :since', { since: filter.since });
    if (filter.until) query.andWhere('d.last_attempt_at < :until', { until: filter.until });
    if (filter.after) {
      query.andWhere('(d.last_attempt_at, d.id) < (:at, :id)', {
        at: filter.after.lastAttemptAt,
        id: filter.after.id,
      });
    }
    return query.getMany();
  }

  findDelivery(businessId: string, id: string): Promise<DeliveryEntity | null> {
    return this.dataSource.getRepository(DeliveryEntity).findOneBy({ businessId, id });
  }

  attemptsOf(deliveryId: string): Promise<DeliveryAttemptEntity[]> {
    return this.dataSource
      .getRepository(DeliveryAttemptEntity)
      .find({ where: { deliveryId }, order: { attempt: 'ASC', attemptedAt: 'ASC' } });
  }

  healthOf(subscriptionId: string): Promise<SubscriptionHealthEntity | null> {
    return this.dataSource.getRepository(SubscriptionHealthEntity).findOneBy({ subscriptionId });
  }

  async attemptStats(subscriptionId: string, since: Date): Promise<AttemptStats> {
    const rows: {
      succeeded: string;
      failed: string;
      dead_lettered: string;
      last_success_at: Date | null;
      last_failure_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT
         count(*) FILTER (WHERE outcome = 'succeeded' AND attempted_at >= $2) AS succeeded,
         count(*) FILTER (WHERE outcome = 'failed' AND attempted_at >= $2) AS failed,
         count(*) FILTER (WHERE outcome = 'dead_lettered' AND attempted_at >= $2) AS dead_lettered,
         max(attempted_at) FILTER (WHERE outcome = 'succeeded') AS last_success_at,
         max(attempted_at) FILTER (WHERE outcome NOT IN ('succeeded', 'suppressed'))
           AS last_failure_at
       FROM delivery_attempts WHERE subscription_id = $1`,
      [subscriptionId, since],
    );
    const row = rows[0]!;
    return {
      succeeded: Number(row.succeeded),
      failed: Number(row.failed),
      deadLettered: Number(row.dead_lettered),
      lastSuccessAt: row.last_success_at,
      lastFailureAt: row.last_failure_at,
    };
  }

  /**
   * The latest attempt of an event to a subscription made since a time (a test event's: `eventId`
   * is the test's request id), if recorded yet. The time bound keeps the lookup on the
   * (subscription, time) index.
   */
  findAttemptOfEvent(
    subscriptionId: string,
    eventId: string,
    since: Date,
  ): Promise<DeliveryAttemptEntity | null> {
    return this.dataSource.getRepository(DeliveryAttemptEntity).findOne({
      where: { subscriptionId, eventId, attemptedAt: MoreThanOrEqual(since) },
      order: { attemptedAt: 'DESC', attempt: 'DESC' },
    });
  }

  /** Attempt counts and latency percentiles (`percentile_cont`) over each window, by its start. */
  async windowStats<K extends string>(
    subscriptionId: string,
    windows: Record<K, Date>,
  ): Promise<Record<K, WindowStats>> {
    const entries = Object.entries(windows) as [K, Date][];
    const earliest = new Date(Math.min(...entries.map(([, since]) => since.getTime())));
    const columns = entries
      .map((_, i) => {
        const p = `$${i + 3}`;
        return `count(*) FILTER (WHERE attempted_at >= ${p}) AS attempts_${i},
         count(*) FILTER (WHERE attempted_at >= ${p} AND outcome = 'succeeded') AS succeeded_${i},
         percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)
           FILTER (WHERE attempted_at >= ${p}) AS p50_${i},
         percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
           FILTER (WHERE attempted_at >= ${p}) AS p95_${i}`;
      })
      .join(',\n         ');
    const rows: Record<string, string | number | null>[] = await this.dataSource.query(
      `SELECT ${columns}
       FROM delivery_attempts
       WHERE subscription_id = $1 AND attempted_at >= $2 AND outcome <> 'suppressed'`,
      [subscriptionId, earliest, ...entries.map(([, since]) => since)],
    );
    const row = rows[0]!;
    const num = (value: string | number | null | undefined) =>
      value === null || value === undefined ? null : Number(value);
    const result = {} as Record<K, WindowStats>;
    entries.forEach(([name], i) => {
      const attempts = Number(row[`attempts_${i}`]);
      const succeeded = Number(row[`succeeded_${i}`]);
      result[name] = {
        attempts,
        succeeded,
        failed: attempts - succeeded,
        p50LatencyMs: num(row[`p50_${i}`]),
        p95LatencyMs: num(row[`p95_${i}`]),
      };
    });
    return result;
  }

  /** How many attempts failed since the latest success, and the latest failure. */
  async failureStreak(subscriptionId: string): Promise<FailureStreak> {
    const rows: {
      consecutive_failures: string;
      last_attempt_at: Date | null;
      error_at: Date | null;
      error_status_code: number | null;
      error: string | null;
    }[] = await this.dataSource.query(
      `WITH last_success AS (
         SELECT max(attempted_at) AS at FROM delivery_attempts
         WHERE subscription_id = $1 AND outcome = 'succeeded'),
       last_failure AS (
         SELECT attempted_at, status_code, error FROM delivery_attempts
         WHERE subscription_id = $1 AND outcome NOT IN ('succeeded', 'suppressed')
         ORDER BY attempted_at DESC, attempt DESC LIMIT 1)
       SELECT
         (SELECT count(*) FROM delivery_attempts, last_success
          WHERE subscription_id = $1 AND outcome NOT IN ('succeeded', 'suppressed')
            AND (last_success.at IS NULL OR attempted_at > last_success.at))
           AS consecutive_failures,
         (SELECT max(attempted_at) FROM delivery_attempts WHERE subscription_id = $1)
           AS last_attempt_at,
         f.attempted_at AS error_at, f.status_code AS error_status_code, f.error
       FROM (SELECT 1) one LEFT JOIN last_failure f ON true`,
      [subscriptionId],
    );
    const row = rows[0]!;
    return {
      consecutiveFailures: Number(row.consecutive_failures),
      lastAttemptAt: row.last_attempt_at,
      lastError:
        row.error_at === null
          ? null
          : { at: row.error_at, statusCode: row.error_status_code, error: row.error },
    };
  }
}
