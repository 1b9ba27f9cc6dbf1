/** Bodies up to this size are small: nearly every webhook is a few kilobytes. */
export const smallBodyBytes = 64 * 1024;

/**
 * The webhook body bytes ingress may hold at once. A request takes its announced size (or the
 * route's limit when it sends chunks) before its body is read, and gives it back once it is done
 * with and no longer held (see {@link BodyLease}), so bodies being received and bodies waiting for
 * Kafka together never exceed the capacity.
 *
 * Large bodies may fill three quarters of it; the last quarter is kept for small ones, so that a
 * crowd of slow multi-megabyte uploads cannot shut out the ordinary webhooks behind them.
 */
export class BodyBudget {
  private taken = 0;
  private readonly largeCeiling: number;

  constructor(readonly capacity: number) {
    this.largeCeiling = Math.floor((capacity * 3) / 4);
  }

  /** Bytes taken by requests not yet answered. */
  get inUse(): number {
    return this.taken;
  }

  /** Takes `bytes` when they fit; nothing is taken when not. */
  tryLease(bytes: number): BodyLease | undefined {
    const ceiling = bytes > smallBodyBytes ? this.largeCeiling : this.capacity;
    if (this.taken + bytes > ceiling) return undefined;
    this.taken += bytes;
    return new BodyLease(() => (this.taken -= bytes));
  }
}

/**
 * Bytes taken for one request, given back once its last holder lets go: the request itself, until
 * its connection is done with it, and the write to Kafka, until it is settled (a provider that
 * gives up waiting leaves its body held by the write).
 */
export class BodyLease {
  private holders = 1;

  constructor(private readonly giveBack: () => void) {}

  /** One more holder, until `release`. */
  hold(): void {
    this.holders += 1;
  }

  release(): void {
    this.holders -= 1;
    if (this.holders === 0) this.giveBack();
  }
}
