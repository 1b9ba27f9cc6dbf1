/** Where the pacer reads time and waits; a fake one in unit tests. */
export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Thrown by {@link EventPacer.take} when it was told to stop while waiting. */
export class PacingStoppedError extends Error {
  constructor() {
    super('Pacing stopped: the consumer is stopping or lost its partitions');
    this.name = 'PacingStoppedError';
  }
}

/** The pace: a fixed number of events a second, or one read again at every wait. */
export type PacerRate = number | (() => number);

/**
 * A token bucket over events: `take(n)` resolves once `n` events fit in the rate, with a burst of
 * a tenth of a second's worth (of the highest rate given), so what the bulk lane publishes is
 * spread evenly instead of landing downstream all at once. The rate may change between takes
 * and while one waits (a function is asked again each time): the bulk lane slows down while
 * the raw topic's webhooks flow ({@link LaneActivity}). It waits in slices of at most `sliceMs`,
 * asking `running()` between them, and gives up with {@link PacingStoppedError} when that turns
 * false.
 */
export class EventPacer {
  private tokens: number;
  private last: number;
  private readonly burst: number;
  private readonly rate: () => number;

  constructor(
    rate: PacerRate,
    private readonly clock: PacerClock = realClock,
    private readonly sliceMs = 250,
    maxRate: number = typeof rate === 'number' ? rate : rate(),
  ) {
    this.rate = typeof rate === 'number' ? () => rate : rate;
    if (!(maxRate > 0) || !(this.rate() > 0)) throw new Error('eventsPerSecond must be positive');
    this.burst = Math.max(1, maxRate / 10);
    this.tokens = this.burst;
    this.last = clock.now();
  }

  async take(events: number, running: () => boolean = () => true): Promise<void> {
    this.refill(this.rate());
    this.tokens -= events;
    while (this.tokens < 0) {
      if (!running()) throw new PacingStoppedError();
      const waitMs = (-this.tokens / this.rate()) * 1000;
      await this.clock.sleep(Math.min(waitMs, this.sliceMs));
      this.refill(this.rate());
    }
  }

  /** Adds what the time since the last refill earned at `rate`, up to the burst. */
  private refill(rate: number): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * rate);
    this.last = now;
  }
}

/**
 * When the raw topic's consumer last handled a batch: while it has within `windowMs`, other
 * businesses' webhooks are flowing, and the bulk lane takes its busy pace so that its huge
 * batches never compete with them for the event loop, PostgreSQL, the broker and delivery.
 */
export class LaneActivity {
  private lastBusy = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The raw topic's consumer handled a batch just now. */
  touch(): void {
    this.lastBusy = this.now();
  }

  get busy(): boolean {
    return this.now() - this.lastBusy < this.windowMs;
  }
}
