/** Bodies up to this size are small: nearly every webhook is a few kilobytes. */
export const smallBodyBytes = 64 * 1024;

/**
 * The webhook body bytes ingress may hold at once. A request takes its announced size (or the
 * route's limit when it announces none) before its body is read and gives it back once answered,
 * so bodies being received and bodies waiting for Kafka together never exceed the capacity.
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

  /** Takes `bytes` when they fit, and says whether they did; nothing is taken when not. */
  tryTake(bytes: number): boolean {
    const ceiling = bytes > smallBodyBytes ? this.largeCeiling : this.capacity;
    if (this.taken + bytes > ceiling) return false;
    this.taken += bytes;
    return true;
  }

  /** Gives back what a successful `tryTake(bytes)` took. */
  give(bytes: number): void {
    this.taken -= bytes;
  }
}
