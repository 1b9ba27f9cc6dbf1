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

/**
 * A token bucket over events: `take(n)` resolves once `n` events fit in `eventsPerSecond`, with
 * a burst of a tenth of a second's worth, so what the bulk lane publishes is spread evenly
 * instead of landing downstream all at once. It waits in slices of at most `sliceMs`, asking
 * `running()` between them, and gives up with {@link PacingStoppedError} when that turns false.
 */
export class EventPacer {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  constructor(
    private readonly eventsPerSecond: number,
    private readonly clock: PacerClock = realClock,
    private readonly sliceMs = 250,
  ) {
    if (!(eventsPerSecond > 0)) throw new Error('eventsPerSecond must be positive');
    this.burst = Math.max(1, eventsPerSecond / 10);
    this.tokens = this.burst;
    this.last = clock.now();
  }

  async take(events: number, running: () => boolean = () => true): Promise<void> {
    this.refill();
    this.tokens -= events;
    while (this.tokens < 0) {
      if (!running()) throw new PacingStoppedError();
      const waitMs = (-this.tokens / this.eventsPerSecond) * 1000;
      await this.clock.sleep(Math.min(waitMs, this.sliceMs));
      this.refill();
    }
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.last) / 1000) * this.eventsPerSecond,
    );
    this.last = now;
  }
}
