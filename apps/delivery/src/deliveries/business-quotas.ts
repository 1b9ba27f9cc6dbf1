import type { LaneTicket, SubscriptionLanes } from '../sending/subscription-lanes';

export interface BusinessQuotasOptions {
  /** Attempts of one business held in its subscriptions' lanes (running or waiting) at once. */
  maxInFlight: number;
}

/**
 * A per-business quota over the per-subscription lanes: a business holds at most `maxInFlight`
 * places in its lanes together, whatever its number of subscriptions, so that one business's
 * flood cannot take the process's memory, sockets and event loop: beyond its quota its deliveries
 * stay due in PostgreSQL, and the scheduler takes them as the quota frees up, beside every other
 * business's. A lane keeps its own limits (concurrency and queue per subscription) inside it.
 */
export class BusinessQuotas {
  private readonly load = new Map<string, number>();
  /** Businesses that reached their quota and have not drained to half since. */
  private readonly full = new Set<string>();
  private readonly freedListeners: (() => void)[] = [];

  constructor(
    private readonly lanes: SubscriptionLanes,
    private readonly options: BusinessQuotasOptions,
  ) {}

  /** Places the business's quota has left. */
  businessCapacity(businessId: string): number {
    return this.options.maxInFlight - (this.load.get(businessId) ?? 0);
  }

  /** Places the subscription's lane has left. */
  laneCapacity(subscriptionId: string): number {
    return this.lanes.capacity(subscriptionId);
  }

  /** Subscriptions whose lanes are full. */
  saturatedSubscriptions(): string[] {
    return this.lanes.saturatedSubscriptions();
  }

  /** Businesses whose quota is used up. */
  saturatedBusinesses(): string[] {
    return [...this.load.entries()]
      .filter(([, load]) => load >= this.options.maxInFlight)
      .map(([id]) => id);
  }

  /** Places held by one business (0 when it holds none). */
  loadOf(businessId: string): number {
    return this.load.get(businessId) ?? 0;
  }

  /**
   * Calls `listener` when a business that used up its quota, or a lane that was full, has drained
   * to half: room for a good batch of what waited in PostgreSQL meanwhile.
   */
  onFreed(listener: () => void): void {
    this.freedListeners.push(listener);
    this.lanes.onFreed(() => listener());
  }

  /**
   * A place in the subscription's lane counted against the business's quota, or null when the
   * quota is used up or the lane is full. The place is given back when the ticket's task ends or
   * the ticket is cancelled.
   */
  tryAcquire(businessId: string, subscriptionId: string): LaneTicket | null {
    const load = this.load.get(businessId) ?? 0;
    if (load >= this.options.maxInFlight) return null;
    const ticket = this.lanes.tryAcquire(subscriptionId);
    if (!ticket) return null;
    this.load.set(businessId, load + 1);
    if (load + 1 >= this.options.maxInFlight) this.full.add(businessId);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.release(businessId);
    };
    return {
      run: <T>(task: () => Promise<T>): Promise<T> => {
        const running = ticket.run(task);
        running.then(release, release);
        return running;
      },
      cancel: () => {
        ticket.cancel();
        release();
      },
    };
  }

  private release(businessId: string): void {
    const load = (this.load.get(businessId) ?? 1) - 1;
    if (load <= 0) this.load.delete(businessId);
    else this.load.set(businessId, load);
    if (!this.full.has(businessId) || load > Math.floor(this.options.maxInFlight / 2)) return;
    this.full.delete(businessId);
    for (const listener of this.freedListeners) listener();
  }
}
