import { createHash } from 'node:crypto';

/** The namespace of delivery ids (a random UUID, fixed forever). */
export const DELIVERY_NAMESPACE = '7d0f4a36-2c5e-4f0b-9b8e-61a2d4c3e915';

/** An RFC 9562 version 5 UUID: SHA-1 of namespace and name, so the same name gives the same id. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`Invalid namespace UUID "${namespace}"`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the delivery of one event to one subscription: a redelivered event (a batch consumed
 * again after a crash or a rebalance) gets the same id, so it finds its delivery instead of
 * making a second one. It is also the `webhook-id` of every attempt.
 */
export function deliveryIdOf(subscriptionId: string, eventId: string): string {
  return uuidV5(`${subscriptionId}\n${eventId}`, DELIVERY_NAMESPACE);
}
