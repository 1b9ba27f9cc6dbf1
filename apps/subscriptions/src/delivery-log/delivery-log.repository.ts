import { Injectable } from '@nestjs/common';
import type {
  DeliveryAttempt,
  DeliveryOutcome,
  SubscriptionHealthEvent,
  SubscriptionTopic,
} from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import {
  DeliveryAttemptEntity,
  DeliveryEntity,
  SubscriptionHealthEntity,
} from './delivery-log.entities';

export interface DeliveryFilter {
  topic?: SubscriptionTopic;
  outcome?: DeliveryOutcome;
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

const healthStatus: Record<SubscriptionHealthEvent['type'], SubscriptionHealthEntity['status']> = {
  'subscription.failing': 'failing',
  'subscription.disabled': 'disabled',
  'subscription.recovered': 'healthy',
};

/** Stores the delivery log read model and answers its queries. Idempotent: records may come twice. */
@Injectable()
export class DeliveryLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores attempts (once each) and recomputes the deliveries they belong to. */
  async recordAttempts(attempts: readonly DeliveryAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    const a = attempts;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO delivery_attempts (id, delivery_id, event_id, event_type, business_id,
           subscription_id, topic, attempt, attempted_at, outcome, status_code, latency_ms, error,
           response_body, next_attempt_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::text[], $8::int[], $9::timestamptz[], $10::text[], $11::int[], $12::float8[],
           $13::text[], $14::text[], $15::timestamptz[])
         ON CONFLICT (id) DO NOTHING`,
        [
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
        ],
      );
      // The latest attempt decides a delivery's state, whatever order the attempts arrived in.
      await manager.query(
        `INSERT INTO deliveries (id, business_id, subscription_id, topic, event_id, event_type,
           attempts, outcome, status_code, error, first_attempt_at, last_attempt_at, next_attempt_at)
         SELECT DISTINCT ON (delivery_id) delivery_id, business_id, subscription_id, topic, event_id,
           event_type, count(*) OVER w, outcome, status_code, error, min(attempted_at) OVER w,
           attempted_at, next_attempt_at
         FROM delivery_attempts
         WHERE delivery_id = ANY($1::text[])
         WINDOW w AS (PARTITION BY delivery_id)
         ORDER BY delivery_id, attempt DESC, attempted_at DESC
         ON CONFLICT (id) DO UPDATE SET attempts = EXCLUDED.attempts, outcome = EXCLUDED.outcome,
           status_code = EXCLUDED.status_code, error = EXCLUDED.error,
           first_attempt_at = EXCLUDED.first_attempt_at, last_attempt_at = EXCLUDED.last_attempt_at,
           next_attempt_at = EXCLUDED.next_attempt_at`,
        [[...new Set(a.map((x) => x.deliveryId))]],
      );
    });
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
         max(attempted_at) FILTER (WHERE outcome <> 'succeeded') AS last_failure_at
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
}
