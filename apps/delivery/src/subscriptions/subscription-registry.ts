import type { SubscriptionRecord, SubscriptionTopic } from '@switchboard/contracts';
import { SubscriptionMatcher } from '../matching/subscription-matcher';

/** A subscription as delivery holds it: the record and its compiled matching rules. */
export interface Subscription {
  readonly record: SubscriptionRecord;
  readonly matcher: SubscriptionMatcher;
}

function keyOf(businessId: string, topic: SubscriptionTopic): string {
  return `${businessId}\u0000${topic}`;
}

/**
 * The subscriptions delivery knows, held in memory from the compacted config topic (one per
 * business and topic): matching an event reads no database. Records apply by version, so a
 * replayed or reordered older record never overwrites a newer one; a tombstone deletes.
 *
 * Delivery may disable a subscription itself (410 Gone, too long without success) before the
 * admin service has published that: such a local disable holds for the record version it was
 * made on, and a newer version (say, re-enabled by the business) lifts it.
 */
export class SubscriptionRegistry {
  private readonly byKey = new Map<string, Subscription>();
  private readonly byId = new Map<string, Subscription>();
  private readonly disabledAt = new Map<string, number>();

  get size(): number {
    return this.byKey.size;
  }

  /** The subscription of a business to a topic, enabled or not. */
  find(businessId: string, topic: SubscriptionTopic): Subscription | undefined {
    return this.byKey.get(keyOf(businessId, topic));
  }

  get(id: string): Subscription | undefined {
    return this.byId.get(id);
  }

  upsert(record: SubscriptionRecord): void {
    const key = keyOf(record.businessId, record.topic);
    const current = this.byKey.get(key);
    if (current && current.record.version > record.version) return;
    if (current && current.record.id !== record.id) this.byId.delete(current.record.id);
    const subscription = { record, matcher: new SubscriptionMatcher(record) };
    this.byKey.set(key, subscription);
    this.byId.set(record.id, subscription);
  }

  remove(businessId: string, topic: SubscriptionTopic): void {
    const key = keyOf(businessId, topic);
    const current = this.byKey.get(key);
    if (!current) return;
    this.byKey.delete(key);
    this.byId.delete(current.record.id);
  }

  /** False when the record says disabled, or delivery disabled this version of it. */
  isEnabled(subscription: Subscription): boolean {
    const { record } = subscription;
    if (record.state === 'disabled') return false;
    const disabledVersion = this.disabledAt.get(record.id);
    return disabledVersion === undefined || disabledVersion < record.version;
  }

  /** Stops deliveries to a subscription until a newer version of its record arrives. */
  disableLocally(subscriptionId: string, version: number): void {
    const current = this.disabledAt.get(subscriptionId);
    if (current === undefined || current < version) this.disabledAt.set(subscriptionId, version);
  }
}
