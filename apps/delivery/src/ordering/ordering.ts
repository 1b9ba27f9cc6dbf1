import {
  type CloudEvent,
  eventKeyOf,
  type SubscriptionConfiguration,
} from '@switchboard/contracts';

/**
 * Where a message status stands in WhatsApp's progression: `sent` < `delivered` < `read` <
 * `played` (a voice message listened to, after read), and `failed` terminal (after it nothing is
 * sent). `deleted` and `unknown` are not in the progression: they are never suppressed and never
 * suppress anything.
 */
const STATUS_RANKS: Readonly<Record<string, number>> = Object.freeze({
  sent: 1,
  delivered: 2,
  read: 3,
  played: 4,
  failed: 5,
});

/** The rank of a canonical status (`data.status`), or null when it is not in the progression. */
export function statusRankOf(status: unknown): number | null {
  return typeof status === 'string' && Object.hasOwn(STATUS_RANKS, status)
    ? STATUS_RANKS[status]!
    : null;
}

/** The status of a rank in the progression (`read` for 3). */
export function statusOfRank(rank: number): string {
  return (
    Object.keys(STATUS_RANKS).find((status) => STATUS_RANKS[status] === rank) ?? `rank ${rank}`
  );
}

/** What an ordered or status-monotonic subscription stores beside a delivery. */
export interface OrderingFields {
  /** The conversation (the event's Kafka key): only its earliest pending delivery is attempted. */
  orderingKey: string | null;
  /** When the event happened: its place in its conversation. */
  eventTime: Date | null;
  /** The status's message id (wamid), when statuses are kept monotonic. */
  messageId: string | null;
  /** The status's rank in the progression, when statuses are kept monotonic. */
  statusRank: number | null;
  /** The status itself (`read`, ...), for the record of the furthest one delivered. */
  status: string | null;
}

const UNORDERED: OrderingFields = Object.freeze({
  orderingKey: null,
  eventTime: null,
  messageId: null,
  statusRank: null,
  status: null,
});

/**
 * The ordering fields of one event for one subscription: its conversation and event time when
 * the subscription is ordered (`ordering: conversation`), its message id and status rank when it
 * is a status in the progression and the subscription keeps statuses monotonic. An unordered,
 * unchecked subscription gets none (nothing extra to store or check).
 */
export function orderingFieldsOf(
  event: Pick<CloudEvent, 'id' | 'subject' | 'time' | 'type' | 'data'>,
  configuration: Pick<SubscriptionConfiguration, 'ordering' | 'statusMonotonic'>,
): OrderingFields {
  const ordered = configuration.ordering === 'conversation';
  const monotonic = configuration.statusMonotonic === true;
  if (!ordered && !monotonic) return UNORDERED;
  const fields: OrderingFields = { ...UNORDERED };
  if (ordered) {
    fields.orderingKey = eventKeyOf(event);
    const time = Date.parse(event.time);
    // The schema requires an RFC 3339 time; an unreadable one sorts first, by event id.
    fields.eventTime = new Date(Number.isNaN(time) ? 0 : time);
  }
  if (monotonic && event.type === 'whatsapp.message.status_updated') {
    const data = event.data as { messageId?: unknown; status?: unknown };
    const rank = statusRankOf(data.status);
    if (rank !== null && typeof data.messageId === 'string' && data.messageId.length > 0) {
      fields.messageId = data.messageId;
      fields.statusRank = rank;
      fields.status = data.status as string;
    }
  }
  return fields;
}

/** The furthest status delivered so far of one message to one subscription. */
export interface StatusProgress {
  rank: number;
  status: string;
}

/**
 * Why a status is not sent, or null when it is: it is earlier in the progression than one
 * already delivered for the same message (an equal one, a repeat, is sent).
 */
export function suppressionOf(
  status: { messageId: string; rank: number; status: string },
  delivered: StatusProgress | null,
): string | null {
  if (!delivered || status.rank >= delivered.rank) return null;
  return (
    `Suppressed: status ${status.status} of ${status.messageId} is earlier than ` +
    `${delivered.status}, already delivered (statusMonotonic)`
  );
}

/**
 * Whether a failing head has held up its conversation too long: it has been the delivery its
 * conversation waits for since `headSince`, and at `now` that is `maxSeconds` or more.
 */
export function blockedTooLong(headSince: Date | null, now: Date, maxSeconds: number): boolean {
  return headSince !== null && now.getTime() - headSince.getTime() >= maxSeconds * 1000;
}

/** The reason a conversation's deliveries are dead-lettered together. */
export function conversationDeadLetterReason(
  cause: 'blocked' | 'schedule',
  maxSeconds: number,
): string {
  return cause === 'blocked'
    ? `Conversation blocked for ${maxSeconds} s or more by a failing delivery ` +
        '(ORDERING_BLOCK_MAX_SECONDS): dead-lettered with every delivery behind it'
    : 'A delivery of the conversation ran out of retries: dead-lettered with every delivery behind it';
}
