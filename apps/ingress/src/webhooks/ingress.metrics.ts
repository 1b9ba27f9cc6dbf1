import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

/** The series a stored webhook adds to, for one route. */
interface StoredSeries {
  readonly requests: Counter.Internal;
  readonly storeSeconds: Histogram.Internal<'route'>;
}

/** What ingress counts: every answer by route and outcome, and how long storing took. */
@Injectable()
export class IngressMetrics {
  readonly requests: Counter<'route' | 'outcome'>;
  readonly rejectionsNotRecorded: Counter;
  readonly storeSeconds: Histogram<'route'>;
  /** Labelled series of stored webhooks by route, made once rather than looked up per request. */
  private readonly storedByRoute = new Map<string, StoredSeries>();

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'switchboard_ingress_requests_total',
      help: 'Webhook requests by route and outcome (stored, the rejection reason, or why not stored)',
      labelNames: ['route', 'outcome'],
      registers: [registry],
    });
    this.rejectionsNotRecorded = new Counter({
      name: 'switchboard_ingress_rejections_unrecorded_total',
      help: 'Rejections counted but not written to the rejected topic (rate limit or Kafka failure)',
      registers: [registry],
    });
    this.storeSeconds = new Histogram({
      name: 'switchboard_ingress_store_seconds',
      help: 'Time from a verified request to its acknowledgement by all in-sync replicas',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    });
  }

  /** Counts a webhook stored on `route` after `seconds` of waiting for Kafka. */
  stored(route: string, seconds: number): void {
    let series = this.storedByRoute.get(route);
    if (!series) {
      series = {
        requests: this.requests.labels(route, 'stored'),
        storeSeconds: this.storeSeconds.labels(route),
      };
      this.storedByRoute.set(route, series);
    }
    series.requests.inc();
    series.storeSeconds.observe(seconds);
  }
}
