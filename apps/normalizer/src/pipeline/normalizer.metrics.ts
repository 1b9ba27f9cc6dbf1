import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

@Injectable()
export class NormalizerMetrics {
  private readonly raws: Counter;
  private readonly events: Counter;
  private readonly deadLetters: Counter;
  private readonly batchSize: Histogram;

  constructor(registry: Registry) {
    this.raws = new Counter({
      name: 'switchboard_normalizer_raw_webhooks_total',
      help: 'Raw webhooks consumed',
      registers: [registry],
    });
    this.events = new Counter({
      name: 'switchboard_normalizer_events_published_total',
      help: 'Canonical events published (new to the audit log)',
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'switchboard_normalizer_dead_letters_total',
      help: 'Raw webhooks dead-lettered',
      registers: [registry],
    });
    this.batchSize = new Histogram({
      name: 'switchboard_normalizer_batch_size',
      help: 'Raw webhooks per consumer batch',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500],
      registers: [registry],
    });
  }

  recordBatch(raws: number, published: number, deadLettered: number): void {
    this.raws.inc(raws);
    this.events.inc(published);
    this.deadLetters.inc(deadLettered);
    this.batchSize.observe(raws);
  }
}
