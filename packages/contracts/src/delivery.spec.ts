import {
  DeliveryAttempt,
  DeliveryCommand,
  RESPONSE_BODY_MAX_CHARS,
  SubscriptionHealthEvent,
  truncateResponseBody,
} from './delivery';
import { examples } from './examples';

describe('DeliveryAttempt', () => {
  it('accepts the example attempt', () => {
    expect(DeliveryAttempt.safeParse(examples.DeliveryAttempt).success).toBe(true);
  });

  it('accepts an attempt that got no response', () => {
    // given
    const timedOut = {
      ...examples.DeliveryAttempt,
      statusCode: null,
      responseBody: null,
      error: 'Timed out after 10000 ms',
    };

    // then
    expect(DeliveryAttempt.safeParse(timedOut).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['attempt 0', { attempt: 0 }, 'attempt'],
    ['a fractional attempt', { attempt: 1.5 }, 'attempt'],
    ['an unknown outcome', { outcome: 'skipped' }, 'outcome'],
    ['a status code out of HTTP range', { statusCode: 42 }, 'statusCode'],
    ['a negative latency', { latencyMs: -1 }, 'latencyMs'],
    [
      'an untruncated response body',
      { responseBody: 'x'.repeat(RESPONSE_BODY_MAX_CHARS + 1) },
      'responseBody',
    ],
    ['a next attempt time without offset', { nextAttemptAt: '2026-03-10' }, 'nextAttemptAt'],
  ])('refuses %s', (_label, change, path) => {
    // when
    const result = DeliveryAttempt.safeParse({ ...examples.DeliveryAttempt, ...change });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toContain(path);
  });
});

describe(truncateResponseBody.name, () => {
  it('keeps short bodies and cuts long ones to the limit', () => {
    expect(truncateResponseBody('ok')).toBe('ok');
    expect(truncateResponseBody('x'.repeat(10_000))).toHaveLength(RESPONSE_BODY_MAX_CHARS);
  });
});

describe('DeliveryCommand', () => {
  it.each([
    ['retry', examples.RetryDeliveryCommand],
    ['recover', examples.RecoverDeliveriesCommand],
    ['test', examples.TestDeliveryCommand],
  ])('accepts a %s command', (type, command) => {
    // when
    const result = DeliveryCommand.safeParse(command);

    // then
    expect(result.success).toBe(true);
    expect(result.data?.type).toBe(type);
  });

  it('refuses an unknown command type', () => {
    // when
    const result = DeliveryCommand.safeParse({ ...examples.RetryDeliveryCommand, type: 'purge' });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['type']);
  });

  it('refuses a recover command without its starting point', () => {
    // when
    const result = DeliveryCommand.safeParse({
      ...examples.RecoverDeliveriesCommand,
      since: undefined,
    });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['since']);
  });

  it('refuses a test command without the request it answers', () => {
    // when
    const result = DeliveryCommand.safeParse({ ...examples.TestDeliveryCommand, requestId: '' });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['requestId']);
  });
});

describe('SubscriptionHealthEvent', () => {
  it.each(['subscription.failing', 'subscription.disabled', 'subscription.recovered'])(
    'accepts a %s event',
    (type) => {
      expect(
        SubscriptionHealthEvent.safeParse({ ...examples.SubscriptionHealthEvent, type }).success,
      ).toBe(true);
    },
  );

  it.each<[string, Record<string, unknown>, string]>([
    ['an event that is not past tense', { type: 'subscription.disable' }, 'type'],
    ['negative failures', { consecutiveFailures: -1 }, 'consecutiveFailures'],
    ['an unknown topic', { topic: 'payments' }, 'topic'],
  ])('refuses %s', (_label, change, path) => {
    // when
    const result = SubscriptionHealthEvent.safeParse({
      ...examples.SubscriptionHealthEvent,
      ...change,
    });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([path]);
  });
});
