import { randomUUID } from 'node:crypto';
import {
  decode,
  type DeliveryAttempt,
  DeliveryAttemptsTopic,
  encodeMessage,
  NormalizerCommandsTopic,
} from '@switchboard/contracts';
import { createAuditViews, insertAuditRow } from './audit-views';
import type { SubscriptionsUnderTest } from './subscriptions-app';

export interface SeededDeadLetters {
  /** Business a: a whole-webhook dead letter (replayed once), then an item one with a binary body. */
  whole: { id: string; rawId: string };
  item: { id: string; rawId: string };
  /** Business b's one dead letter. */
  other: { id: string; rawId: string };
  replayRequestId: string;
}

export const wholeBody = '{"object":"whatsapp_business_account","entry":[]}';
export const itemBody = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);

/**
 * Writes, through stand-ins of the normalizer's audit views, the dead letters and replays the
 * normalizer would have recorded for two businesses.
 */
export async function seedDeadLetters(
  service: SubscriptionsUnderTest,
  a: string,
  b: string,
): Promise<SeededDeadLetters> {
  await createAuditViews(service);
  const seeded: SeededDeadLetters = {
    whole: { id: randomUUID(), rawId: randomUUID() },
    item: { id: randomUUID(), rawId: randomUUID() },
    other: { id: randomUUID(), rawId: randomUUID() },
    replayRequestId: randomUUID(),
  };
  const raws = [
    [seeded.whole, a, 'meta', wholeBody, '2026-03-10T10:00:00Z'],
    [seeded.item, a, 'connectly', itemBody, '2026-03-10T11:00:00Z'],
    [seeded.other, b, 'meta', wholeBody, '2026-03-10T10:30:00Z'],
  ] as const;
  for (const [dl, business, provider, body, at] of raws) {
    await insertAuditRow(service, 'audit.raw_webhooks_v1', {
      id: dl.rawId,
      business_id: business,
      source_id: `src_${provider}`,
      provider,
      environment: 'production',
      received_at: at,
      content_type: 'application/json',
      body: Buffer.from(body),
      outcome: dl === seeded.item ? 'partial' : 'dead_lettered',
    });
    const item = dl === seeded.item;
    await insertAuditRow(service, 'audit.dead_letters_v1', {
      id: dl.id,
      business_id: business,
      raw_id: dl.rawId,
      source_id: `src_${provider}`,
      provider,
      received_at: at,
      reason_code: item ? 'payload_schema_violation' : 'too_many_events',
      message: item ? 'statuses[3].status is not a string' : 'the webhook holds 6 events',
      issues: JSON.stringify(
        item ? [{ path: ['status'], message: 'Expected string', code: 'invalid_type' }] : [],
      ),
      pointer: item ? '/entry/0/changes/0/value/statuses/3' : null,
      item: item ? JSON.stringify({ id: 'wamid.X', status: 7 }) : null,
      failed_at: new Date(Date.parse(at) + 1000).toISOString(),
    });
  }
  await insertAuditRow(service, 'audit.replays_v1', {
    id: randomUUID(),
    request_id: seeded.replayRequestId,
    business_id: a,
    raw_id: seeded.whole.rawId,
    outcome: 'published',
    events_produced: 6,
    events_published: 6,
    dead_letters: 0,
    replayed_at: '2026-03-10T12:00:00Z',
  });
  return seeded;
}

/** Delivery attempts as the delivery service announces them: one dead-lettered, one succeeded. */
export async function publishOutboundDeadLetter(
  service: SubscriptionsUnderTest,
  businessId: string,
  subscriptionId: string,
  deliveryId: string,
  outcome: DeliveryAttempt['outcome'],
): Promise<void> {
  const attempt: DeliveryAttempt = {
    id: randomUUID(),
    deliveryId,
    eventId: `evt_${deliveryId}`,
    eventType: 'whatsapp.message.received',
    businessId,
    subscriptionId,
    topic: 'messages',
    attempt: 12,
    attemptedAt: new Date(Date.now() - 60_000).toISOString(),
    outcome,
    statusCode: outcome === 'succeeded' ? 200 : 503,
    latencyMs: 12,
    error: outcome === 'succeeded' ? null : 'HTTP 503',
    responseBody: null,
    nextAttemptAt: null,
  };
  await service.produce(service.topic(DeliveryAttemptsTopic), [
    encodeMessage(DeliveryAttemptsTopic, attempt),
  ]);
}

/** Every replay command sent to the normalizer's command topic so far, with its record key. */
export async function sentCommands(service: SubscriptionsUnderTest) {
  const records = await service.readTopic(service.topic(NormalizerCommandsTopic));
  return records.map((r) => {
    const decoded = decode(NormalizerCommandsTopic, r.value);
    if (!decoded.ok) throw new Error(decoded.message);
    return { key: r.key, ...decoded.value };
  });
}
