import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

/** What delivery counts: events by what became of them, attempts by outcome, and their latency. */
@Injectable()
export class DeliveryMetrics {
  readonly events: Counter<'result'>;
  readonly attempts: Counter<'outcome'>;
  readonly attemptSeconds: Histogram<'outcome'>;
  readonly deferred: Counter<'path'>;
  readonly outcomesLost: Counter;
  readonly eventAgeSeconds: Histogram;

  constructor(registry: Registry) {
    this.eventAgeSeconds = new Histogram({
      name: 'switchboard_delivery_event_age_seconds',
      help: 'Age of a matched event when delivery takes it: from its publication on the public topic to its match (end-to-end lag of the delivery stage)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.events = new Counter({
      name: 'switchboard_delivery_events_total',
      help: 'Consumed events by result: matched, unmatched, duplicate (already delivered) or invalid',
      labelNames: ['result'],
      registers: [registry],
    });
    this.attempts = new Counter({
      name: 'switchboard_delivery_attempts_total',
      help: 'Webhook attempts by outcome: succeeded, failed, dead_lettered or suppressed (not sent)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.attemptSeconds = new Histogram({
      name: 'switchboard_delivery_attempt_seconds',
      help: 'Time from sending a webhook request to its answer (or failure)',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.deferred = new Counter({
      name: 'switchboard_delivery_deferred_total',
      help: "Deliveries left to the scheduler because their subscription's lane was full",
      labelNames: ['path'],
      registers: [registry],
    });
    this.outcomesLost = new Counter({
      name: 'switchboard_delivery_outcomes_unstored_total',
      help: 'Attempt outcomes whose write failed; their deliveries are attempted again after the lease',
      registers: [registry],
    });
  }
}
