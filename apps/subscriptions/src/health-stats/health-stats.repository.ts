import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Figures of a set of attempts. */
export interface AttemptFigures {
  attempts: number;
  succeeded: number;
  p50LatencyMs: number | null;
  p99LatencyMs: number | null;
}

/** A change between success and failure in the recorded attempts. */
export interface OutcomeChange {
  at: Date;
  failed: boolean;
  /** Whether an earlier attempt exists in the range (false: the first attempt of the range). */
  hadPrevious: boolean;
  statusCode: number | null;
  error: string | null;
}

export interface LastFailure {
  at: Date;
  statusCode: number | null;
  error: string | null;
  responseSnippet: string | null;
}

export interface Announcement {
  status: 'healthy' | 'failing' | 'disabled';
  reason: string;
  changedAt: Date;
}

type Row = Record<string, string | number | Date | boolean | null>;
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

const figures = `count(*) AS attempts,
  count(*) FILTER (WHERE outcome = 'succeeded') AS succeeded,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99`;

function toFigures(row: Row | undefined): AttemptFigures {
  return {
    attempts: Number(row?.attempts ?? 0),
    succeeded: Number(row?.succeeded ?? 0),
    p50LatencyMs: num(row?.p50),
    p99LatencyMs: num(row?.p99),
  };
}

/** Reads aggregates of the delivery log's attempts (`delivery_attempts`, schema subscriptions). */
@Injectable()
export class HealthStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Figures of every attempt since `from`, overall and per bucket (by bucket index, sparse); an
   * attempt recorded after the last bucket's end (clock skew) counts in the last bucket.
   */
  async bucketed(
    subscriptionId: string,
    from: Date,
    bucketMs: number,
    count: number,
  ): Promise<{ total: AttemptFigures; buckets: Map<number, AttemptFigures> }> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT least(floor(extract(epoch FROM attempted_at - $2::timestamptz) * 1000 / $3), $4 - 1)::int
                AS bucket,
              ${figures}
       FROM delivery_attempts
       WHERE subscription_id = $1 AND attempted_at >= $2 AND outcome <> 'suppressed'
       GROUP BY GROUPING SETS ((1), ())`,
      [subscriptionId, from, bucketMs, count],
    );
    const buckets = new Map<number, AttemptFigures>();
    let total: AttemptFigures = toFigures(undefined);
    for (const row of rows) {
      if (row.bucket === null) total = toFigures(row);
      else buckets.set(Number(row.bucket), toFigures(row));
    }
    return { total, buckets };
  }

  /** Where the attempts since `from` turned from success to failure or back, latest `limit`. */
  async outcomeChanges(
    subscriptionId: string,
    from: Date,
    limit: number,
  ): Promise<OutcomeChange[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT attempted_at, failed, previous_failed, status_code, error FROM (
         SELECT attempted_at, attempt, outcome <> 'succeeded' AS failed, status_code, error,
                lag(outcome <> 'succeeded') OVER (ORDER BY attempted_at, attempt) AS previous_failed
         FROM delivery_attempts
         WHERE subscription_id = $1 AND attempted_at >= $2 AND outcome <> 'suppressed') a
       WHERE previous_failed IS DISTINCT FROM failed
       ORDER BY attempted_at DESC, attempt DESC LIMIT $3`,
      [subscriptionId, from, limit],
    );
    return rows.reverse().map((row) => ({
      at: row.attempted_at as Date,
      failed: row.failed === true,
      hadPrevious: row.previous_failed !== null,
      statusCode: num(row.status_code),
      error: (row.error as string | null) ?? null,
    }));
  }

  /** Recorded attempts that failed since the latest success. */
  async consecutiveFailures(subscriptionId: string): Promise<number> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM delivery_attempts
       WHERE subscription_id = $1 AND outcome NOT IN ('succeeded', 'suppressed') AND attempted_at >
         coalesce((SELECT max(attempted_at) FROM delivery_attempts
                   WHERE subscription_id = $1 AND outcome = 'succeeded'), '-infinity')`,
      [subscriptionId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The latest attempt that did not succeed, with the start of the endpoint's answer. */
  async lastFailure(subscriptionId: string, snippetLength: number): Promise<LastFailure | null> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT attempted_at, status_code, error, left(response_body, $2) AS response
       FROM delivery_attempts
       WHERE subscription_id = $1 AND outcome NOT IN ('succeeded', 'suppressed')
       ORDER BY attempted_at DESC, attempt DESC LIMIT 1`,
      [subscriptionId, snippetLength],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      at: row.attempted_at as Date,
      statusCode: num(row.status_code),
      error: (row.error as string | null) ?? null,
      responseSnippet: (row.response as string | null) ?? null,
    };
  }

  /** The delivery service's latest health announcement for the subscription, if any. */
  async announcement(subscriptionId: string): Promise<Announcement | null> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT status, reason, changed_at FROM subscription_health WHERE subscription_id = $1`,
      [subscriptionId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      status: row.status as Announcement['status'],
      reason: String(row.reason),
      changedAt: row.changed_at as Date,
    };
  }
}
