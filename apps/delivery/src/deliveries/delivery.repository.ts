import { Injectable } from '@nestjs/common';
import { type PreparedStatement, runPrepared } from '@switchboard/database';
import { DataSource, type QueryRunner } from 'typeorm';
import type { DeliveryState } from './delivery.entity';
import type { OutcomeToStore } from './outcome-writer';

/** A delivery to store before its first attempt. */
export interface NewDelivery {
  id: string;
  subscriptionId: string;
  businessId: string;
  topic: string;
  eventId: string;
  eventType: string;
  body: string;
  test: boolean;
  /** When the scheduler may take it: after the lease of an attempt starting now, or now. */
  nextAttemptAt: Date;
  /** Ordered subscriptions: the event's conversation; absent or null when unordered. */
  orderingKey?: string | null;
  /** Ordered subscriptions: when the event happened. */
  eventTime?: Date | null;
  /** Statuses kept monotonic: the status's message id (wamid). */
  messageId?: string | null;
  /** Statuses kept monotonic: the status's rank in the progression. */
  statusRank?: number | null;
}

/** A stored delivery, as an attempt needs it. */
export interface StoredDelivery {
  id: string;
  subscriptionId: string;
  businessId: string;
  topic: string;
  eventId: string;
  eventType: string;
  body: string;
  test: boolean;
  state: DeliveryState;
  attempts: number;
  scheduleBase: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  orderingKey: string | null;
  eventTime: Date | null;
  /** Since when this delivery is the one its conversation waits for (ordered subscriptions). */
  headSince: Date | null;
  messageId: string | null;
  statusRank: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What an attempt changed. */
export interface AttemptRecord {
  state: DeliveryState;
  nextAttemptAt: Date | null;
  attemptedAt: Date;
  statusCode: number | null;
  error: string | null;
}

/** A due delivery the scheduler may claim. */
export interface DueCandidate {
  id: string;
  subscriptionId: string;
  businessId: string;
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  business_id: string;
  topic: string;
  event_id: string;
  event_type: string;
  body: string;
  test: boolean;
  state: DeliveryState;
  attempts: number;
  schedule_base: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  ordering_key: string | null;
  event_time: Date | null;
  head_since: Date | null;
  message_id: string | null;
  status_rank: number | null;
  created_at: Date;
  updated_at: Date;
}

/** A pending delivery dead-lettered with its conversation, as its attempt record needs it. */
export interface ConversationDeadLetter {
  id: string;
  businessId: string;
  topic: string;
  eventId: string;
  eventType: string;
  attempts: number;
}

function toDelivery(row: DeliveryRow): StoredDelivery {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    businessId: row.business_id,
    topic: row.topic,
    eventId: row.event_id,
    eventType: row.event_type,
    body: row.body,
    test: row.test,
    state: row.state,
    attempts: row.attempts,
    scheduleBase: row.schedule_base,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    orderingKey: row.ordering_key,
    eventTime: row.event_time,
    headSince: row.head_since,
    messageId: row.message_id,
    statusRank: row.status_rank,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** New pending deliveries, one statement per batch; an existing id is left as it is. */
const INSERT_PENDING: PreparedStatement = {
  name: 'delivery_insert_pending',
  text: `INSERT INTO deliveries
           (id, subscription_id, business_id, topic, event_id, event_type, body, test, state,
            next_attempt_at)
         SELECT id, subscription_id, business_id, topic, event_id, event_type, body, test,
                'pending', next_attempt_at
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::boolean[], $9::timestamptz[])
           AS d(id, subscription_id, business_id, topic, event_id, event_type, body, test,
                next_attempt_at)
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
};

/** The same with the ordering columns, for batches holding deliveries of ordered subscriptions. */
const INSERT_PENDING_ORDERED: PreparedStatement = {
  name: 'delivery_insert_pending_ordered',
  text: `INSERT INTO deliveries
           (id, subscription_id, business_id, topic, event_id, event_type, body, test, state,
            next_attempt_at, ordering_key, event_time, message_id, status_rank)
         SELECT id, subscription_id, business_id, topic, event_id, event_type, body, test,
                'pending', next_attempt_at, ordering_key, event_time, message_id, status_rank
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::boolean[], $9::timestamptz[], $10::text[],
                     $11::timestamptz[], $12::text[], $13::smallint[])
           AS d(id, subscription_id, business_id, topic, event_id, event_type, body, test,
                next_attempt_at, ordering_key, event_time, message_id, status_rank)
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
};

/**
 * True of a pending delivery `d` that is its conversation's head: unordered, already the head,
 * or with no other pending delivery of its conversation that is the head or comes before it (by
 * event time, then event id). Reads `deliveries_ordering_idx` only.
 */
const IS_HEAD = `(d.ordering_key IS NULL OR d.head_since IS NOT NULL OR NOT EXISTS (
    SELECT 1 FROM deliveries e
    WHERE e.subscription_id = d.subscription_id AND e.ordering_key = d.ordering_key
      AND e.state = 'pending' AND e.ordering_key IS NOT NULL AND e.id <> d.id
      AND (e.head_since IS NOT NULL
           OR (e.event_time, e.event_id) < (d.event_time, d.event_id))))`;

/** Takes new deliveries that are their conversation's head as such, leased for their attempt. */
const MARK_HEADS: PreparedStatement = {
  name: 'delivery_mark_heads',
  text: `UPDATE deliveries d
         SET head_since = $2,
             next_attempt_at = $2::timestamptz + make_interval(secs => l.lease_ms / 1000.0)
         FROM unnest($1::uuid[], $3::integer[]) AS l(id, lease_ms)
         WHERE d.id = l.id AND d.state = 'pending' AND d.head_since IS NULL AND ${IS_HEAD}
         RETURNING d.id`,
};

/** Attempt outcomes, one statement per group commit; a delivery that moved on is left alone. */
const RECORD_ATTEMPTS: PreparedStatement = {
  name: 'delivery_record_attempts',
  text: `UPDATE deliveries d
         SET attempts = o.previous + 1, state = o.state, next_attempt_at = o.next_attempt_at,
             last_attempt_at = o.attempted_at, last_status_code = o.status_code,
             last_error = o.error, updated_at = o.attempted_at
         FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::timestamptz[],
                     $5::timestamptz[], $6::integer[], $7::text[])
           AS o(id, previous, state, next_attempt_at, attempted_at, status_code, error)
         WHERE d.id = o.id AND d.attempts = o.previous
         RETURNING d.id`,
};

/**
 * Persists deliveries in the service's schema. Only stores and reads: when to attempt, what an
 * outcome means and which deliveries to claim is decided by the callers.
 */
@Injectable()
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores new pending deliveries in one statement; an id that exists already (a redelivered
   * event) is left as it is. Resolves with the ids that were new.
   */
  async insertPending(deliveries: readonly NewDelivery[]): Promise<Set<string>> {
    if (deliveries.length === 0) return new Set();
    const column = <K extends keyof NewDelivery>(key: K) => deliveries.map((d) => d[key] ?? null);
    const params = [
      column('id'),
      column('subscriptionId'),
      column('businessId'),
      column('topic'),
      column('eventId'),
      column('eventType'),
      column('body'),
      column('test'),
      column('nextAttemptAt'),
    ];
    // Unordered batches (every one while no subscription is ordered) keep the plain statement.
    const ordered = deliveries.some((d) => d.orderingKey != null || d.messageId != null);
    const rows = await runPrepared<{ id: string }>(
      this.dataSource,
      ordered ? INSERT_PENDING_ORDERED : INSERT_PENDING,
      ordered
        ? [
            ...params,
            column('orderingKey'),
            column('eventTime'),
            column('messageId'),
            column('statusRank'),
          ]
        : params,
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Takes those of the given new deliveries of ordered subscriptions that are their
   * conversation's head as heads from `now`, due when their lease ends (their first attempt is
   * made at once); resolves with their ids. The others wait, due, for the deliveries before them.
   */
  async markHeads(
    deliveries: readonly { id: string; leaseMs: number }[],
    now: Date,
  ): Promise<Set<string>> {
    if (deliveries.length === 0) return new Set();
    const rows = await runPrepared<{ id: string }>(this.dataSource, MARK_HEADS, [
      deliveries.map((d) => d.id),
      now,
      deliveries.map((d) => Math.round(d.leaseMs)),
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Dead-letters an ordered delivery's conversation as a unit, in one transaction: stores the
   * head's outcome (as {@link recordAttempts} does, refused when another attempt was stored
   * first) and, when it was stored, dead-letters every other pending delivery of the
   * conversation with `reason`. Resolves with whether the outcome was stored and the others.
   */
  async deadLetterConversation(
    outcome: OutcomeToStore,
    conversation: { subscriptionId: string; orderingKey: string },
    reason: string,
  ): Promise<{ stored: boolean; others: ConversationDeadLetter[] }> {
    return this.dataSource.transaction(async (manager) => {
      const runner = manager.queryRunner!;
      const head = await this.rows<{ id: string }>(
        `UPDATE deliveries
         SET attempts = attempts + 1, state = $3, next_attempt_at = $4, last_attempt_at = $5,
             last_status_code = $6, last_error = $7, updated_at = $5, head_since = NULL
         WHERE id = $1 AND attempts = $2
         RETURNING id`,
        [
          outcome.deliveryId,
          outcome.previousAttempts,
          outcome.state,
          outcome.nextAttemptAt,
          outcome.attemptedAt,
          outcome.statusCode,
          outcome.error,
        ],
        runner,
      );
      if (head.length === 0) return { stored: false, others: [] };
      const others = await this.rows<{
        id: string;
        business_id: string;
        topic: string;
        event_id: string;
        event_type: string;
        attempts: number;
      }>(
        `UPDATE deliveries
         SET state = 'dead_lettered', next_attempt_at = NULL, last_error = $3, updated_at = $4,
             head_since = NULL
         WHERE subscription_id = $1 AND ordering_key = $2 AND state = 'pending'
           AND ordering_key IS NOT NULL
         RETURNING id, business_id, topic, event_id, event_type, attempts`,
        [conversation.subscriptionId, conversation.orderingKey, reason, outcome.attemptedAt],
        runner,
      );
      return {
        stored: true,
        others: others.map((r) => ({
          id: r.id,
          businessId: r.business_id,
          topic: r.topic,
          eventId: r.event_id,
          eventType: r.event_type,
          attempts: r.attempts,
        })),
      };
    });
  }

  /**
   * Claims due deliveries: locks up to `limit` pending deliveries due at `now` (skipping those
   * another instance holds, and those of the excluded subscriptions and businesses), lets `plan`
   * choose which to take and for how long, and pushes the chosen ones' due time out by their
   * lease, all in one transaction. A claimer that dies leaves its deliveries due again once their
   * lease ends.
   */
  async claimDue(
    now: Date,
    limit: number,
    excluded: { subscriptions: readonly string[]; businesses: readonly string[] },
    plan: (candidates: readonly DueCandidate[]) => ReadonlyMap<string, number>,
  ): Promise<StoredDelivery[]> {
    return this.dataSource.transaction(async (manager) => {
      const runner = manager.queryRunner!;
      const candidates = await this.rows<{
        id: string;
        subscription_id: string;
        business_id: string;
      }>(
        `SELECT id, subscription_id, business_id FROM deliveries d
         WHERE state = 'pending' AND next_attempt_at <= $1
           AND NOT (subscription_id = ANY($3::text[]))
           AND NOT (business_id = ANY($4::text[]))
           AND ${IS_HEAD}
         ORDER BY next_attempt_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED`,
        [now, limit, excluded.subscriptions, excluded.businesses],
        runner,
      );
      if (candidates.length === 0) return [];
      const leases = plan(
        candidates.map((c) => ({
          id: c.id,
          subscriptionId: c.subscription_id,
          businessId: c.business_id,
        })),
      );
      if (leases.size === 0) return [];
      const ids = [...leases.keys()];
      const claimed = await this.rows<DeliveryRow>(
        `UPDATE deliveries d
         SET next_attempt_at = $2::timestamptz + make_interval(secs => l.lease_ms / 1000.0),
             updated_at = $2,
             head_since = CASE WHEN d.ordering_key IS NULL THEN NULL
                               ELSE COALESCE(d.head_since, $2) END
         FROM unnest($1::uuid[], $3::integer[]) AS l(id, lease_ms)
         WHERE d.id = l.id
         RETURNING d.*`,
        [ids, now, ids.map((id) => Math.round(leases.get(id)!))],
        runner,
      );
      return claimed.map(toDelivery);
    });
  }

  /**
   * Stores many attempts' outcomes in one statement: each is attempt number
   * `previousAttempts + 1` of its delivery. Resolves with the deliveries stored; one that had moved
   * on meanwhile (another attempt was stored first) is left as it is and missing from the set.
   */
  async recordAttempts(outcomes: readonly OutcomeToStore[]): Promise<Set<string>> {
    if (outcomes.length === 0) return new Set();
    const column = <K extends keyof OutcomeToStore>(key: K) => outcomes.map((o) => o[key]);
    const rows = await runPrepared<{ id: string }>(this.dataSource, RECORD_ATTEMPTS, [
      column('deliveryId'),
      column('previousAttempts'),
      column('state'),
      column('nextAttemptAt'),
      column('attemptedAt'),
      column('statusCode'),
      column('error'),
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /** Makes a pending delivery due at `at` without counting an attempt. */
  async postpone(id: string, at: Date): Promise<void> {
    await this.rows(
      `UPDATE deliveries SET next_attempt_at = $2, updated_at = now()
       WHERE id = $1 AND state = 'pending'`,
      [id, at],
    );
  }

  /**
   * Dead-letters pending deliveries that will not be attempted (their subscription is gone), in
   * one statement: a disabled subscription's backlog of thousands costs one write per claim.
   */
  async abandon(ids: readonly string[], reason: string, at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.rows(
      `UPDATE deliveries
       SET state = 'dead_lettered', next_attempt_at = NULL, last_error = $2, updated_at = $3,
           head_since = NULL
       WHERE id = ANY($1::uuid[]) AND state = 'pending'`,
      [ids, reason, at],
    );
  }

  async findById(id: string): Promise<StoredDelivery | null> {
    const rows = await this.rows<DeliveryRow>(`SELECT * FROM deliveries WHERE id = $1`, [id]);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  /**
   * Makes one delivery due at `at`, whatever its state. A delivery that had finished starts a
   * fresh schedule; a pending one keeps its place in the schedule. Null when there is none.
   */
  async makeDue(id: string, businessId: string, at: Date): Promise<StoredDelivery | null> {
    const rows = await this.rows<DeliveryRow>(
      `UPDATE deliveries
       SET schedule_base = CASE WHEN state = 'pending' THEN schedule_base ELSE attempts END,
           head_since = CASE WHEN state = 'pending' THEN head_since ELSE NULL END,
           state = 'pending', next_attempt_at = $3, updated_at = $3
       WHERE id = $1 AND business_id = $2
       RETURNING *`,
      [id, businessId, at],
    );
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  /**
   * Makes every delivery of a subscription's topic dead-lettered at or after `since` due at `at`,
   * each with a fresh schedule. Resolves with how many there were.
   */
  async recover(
    subscriptionId: string,
    businessId: string,
    topic: string,
    since: Date,
    at: Date,
  ): Promise<number> {
    const rows = await this.rows<{ id: string }>(
      `UPDATE deliveries
       SET schedule_base = attempts, state = 'pending', next_attempt_at = $5, updated_at = $5,
           head_since = NULL
       WHERE subscription_id = $1 AND business_id = $2 AND topic = $3
         AND state = 'dead_lettered' AND updated_at >= $4 AND NOT test
       RETURNING id`,
      [subscriptionId, businessId, topic, since, at],
    );
    return rows.length;
  }

  /** Deletes up to `limit` finished deliveries older than their retention; resolves with how many. */
  async purgeFinished(
    succeededBefore: Date,
    deadLetteredBefore: Date,
    limit: number,
  ): Promise<number> {
    const rows = await this.rows<{ id: string }>(
      `DELETE FROM deliveries WHERE id IN (
         SELECT id FROM deliveries WHERE state IN ('succeeded', 'suppressed') AND updated_at < $1
         UNION ALL
         SELECT id FROM deliveries WHERE state IN ('dead_lettered', 'failed') AND updated_at < $2
         LIMIT $3)
       RETURNING id`,
      [succeededBefore, deadLetteredBefore, limit],
    );
    return rows.length;
  }

  /** Runs one statement and returns its rows (also for UPDATE and DELETE ... RETURNING). */
  private async rows<T>(sql: string, params: unknown[], runner?: QueryRunner): Promise<T[]> {
    const own = runner ?? this.dataSource.createQueryRunner();
    try {
      const result = await own.query(sql, params, true);
      return result.records as T[];
    } finally {
      if (!runner) await own.release();
    }
  }
}
