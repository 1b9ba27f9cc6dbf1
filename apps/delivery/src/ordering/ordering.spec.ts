import { cloudEvent } from '../../test/builders';
import {
  blockedTooLong,
  orderingFieldsOf,
  statusOfRank,
  statusRankOf,
  suppressionOf,
} from './ordering';

describe('statusRankOf', () => {
  it('ranks the progression sent < delivered < read < played, failed last', () => {
    // when each status is ranked
    const ranks = ['sent', 'delivered', 'read', 'played', 'failed'].map(statusRankOf);

    // then each comes after the one before, and each rank names its status back
    expect(ranks).toEqual([...ranks].sort((a, b) => a! - b!));
    expect(new Set(ranks).size).toBe(5);
    expect(ranks.map((rank) => statusOfRank(rank!))).toEqual([
      'sent',
      'delivered',
      'read',
      'played',
      'failed',
    ]);
  });

  it('leaves statuses outside the progression unranked', () => {
    expect(statusRankOf('deleted')).toBeNull();
    expect(statusRankOf('unknown')).toBeNull();
    expect(statusRankOf('toString')).toBeNull();
    expect(statusRankOf(3)).toBeNull();
  });
});

describe('orderingFieldsOf', () => {
  const status = (data: Record<string, unknown>) =>
    cloudEvent({
      type: 'whatsapp.message.status_updated',
      topic: 'delivery_status',
      subject: '106540352242922:16505551234',
      time: '2026-03-01T10:00:05Z',
      data: { messageId: 'wamid.A', status: 'read', ...data },
    });

  it('gives an unordered, unchecked subscription nothing to store', () => {
    // when the fields of a status are taken for a subscription with neither switch
    const fields = orderingFieldsOf(status({}), {});

    // then there are none
    expect(fields).toEqual({
      orderingKey: null,
      eventTime: null,
      messageId: null,
      statusRank: null,
      status: null,
    });
  });

  it('keys an ordered subscription by the conversation and places it by event time', () => {
    // when the fields are taken for an ordered subscription
    const fields = orderingFieldsOf(status({}), { ordering: 'conversation' });

    // then the key is the event's subject (phone number id and customer) and the time its own
    expect(fields).toMatchObject({
      orderingKey: '106540352242922:16505551234',
      eventTime: new Date('2026-03-01T10:00:05Z'),
      messageId: null,
    });
  });

  it('falls back to the event id for an event without a subject', () => {
    const event = cloudEvent({ subject: undefined });
    expect(orderingFieldsOf(event, { ordering: 'conversation' }).orderingKey).toBe(event.id);
  });

  it('takes the message id and rank of a status when statuses are kept monotonic', () => {
    expect(orderingFieldsOf(status({}), { statusMonotonic: true })).toMatchObject({
      orderingKey: null,
      messageId: 'wamid.A',
      statusRank: statusRankOf('read'),
      status: 'read',
    });
  });

  it('checks nothing of a status outside the progression, nor of a message', () => {
    expect(
      orderingFieldsOf(status({ status: 'deleted' }), { statusMonotonic: true }),
    ).toMatchObject({ messageId: null, statusRank: null });
    expect(orderingFieldsOf(cloudEvent(), { statusMonotonic: true }).messageId).toBeNull();
  });
});

describe('suppressionOf', () => {
  const read = { messageId: 'wamid.A', rank: statusRankOf('read')!, status: 'read' };

  it('suppresses a status earlier than one already delivered, saying why', () => {
    // given read delivered, when delivered comes afterwards
    const reason = suppressionOf(
      { messageId: 'wamid.A', rank: statusRankOf('delivered')!, status: 'delivered' },
      { rank: read.rank, status: 'read' },
    );

    // then it is suppressed, the reason naming both
    expect(reason).toBe(
      'Suppressed: status delivered of wamid.A is earlier than read, already delivered (statusMonotonic)',
    );
  });

  it('sends the first status, a later one and a repeat', () => {
    expect(suppressionOf(read, null)).toBeNull();
    expect(
      suppressionOf(read, { rank: statusRankOf('delivered')!, status: 'delivered' }),
    ).toBeNull();
    expect(suppressionOf(read, { rank: read.rank, status: 'read' })).toBeNull();
  });

  it('suppresses everything after failed, which is terminal', () => {
    expect(suppressionOf(read, { rank: statusRankOf('failed')!, status: 'failed' })).not.toBeNull();
  });
});

describe('blockedTooLong', () => {
  const since = new Date('2026-03-01T10:00:00Z');

  it('holds a conversation until the limit, then no longer', () => {
    expect(blockedTooLong(since, new Date('2026-03-01T10:59:59Z'), 3_600)).toBe(false);
    expect(blockedTooLong(since, new Date('2026-03-01T11:00:00Z'), 3_600)).toBe(true);
  });

  it('never counts a delivery that is not yet a head', () => {
    expect(blockedTooLong(null, new Date('2030-01-01T00:00:00Z'), 1)).toBe(false);
  });
});
