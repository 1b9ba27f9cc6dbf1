import type {
  CloudEvent,
  Glob,
  SubscriptionConfiguration,
  SubscriptionRecord,
} from '@switchboard/contracts';
import { fixtureJson } from '@switchboard/fixtures';
import { cloudEvent, subscriptionRecord } from '../../test/builders';
import { eventFields } from './event-fields';
import { MAX_MATCHED_LENGTH, SubscriptionMatcher } from './subscription-matcher';

function subscription(configuration: Partial<SubscriptionConfiguration> = {}): SubscriptionRecord {
  return subscriptionRecord({ businessId: 'biz_acme', topic: 'messages', configuration });
}

/** A message event with other attributes and, when given, exactly this data. */
function event(overrides: Partial<CloudEvent> = {}, data?: Record<string, unknown>): CloudEvent {
  return cloudEvent(data ? { ...overrides, data } : overrides);
}

/** Every glob the matchers compile, to count the steps matching takes. */
const mockCompiled: Glob[] = [];
jest.mock('@switchboard/contracts', () => {
  const actual =
    jest.requireActual<typeof import('@switchboard/contracts')>('@switchboard/contracts');
  return {
    ...actual,
    compileGlob: (...args: Parameters<typeof actual.compileGlob>) => {
      const glob = actual.compileGlob(...args);
      mockCompiled.push(glob);
      return glob;
    },
  };
});
const stepsTaken = () => mockCompiled.reduce((sum, glob) => sum + glob.steps, 0);

const matches = (record: SubscriptionRecord, e: CloudEvent) =>
  new SubscriptionMatcher(record).match(e);

describe(SubscriptionMatcher.name, () => {
  it('delivers every event of its business and topic when nothing narrows it', () => {
    expect(matches(subscription(), event())).toEqual({ matched: true });
  });

  it('refuses events of another business or topic', () => {
    expect(matches(subscription(), event({ businessid: 'biz_other' }))).toEqual({
      matched: false,
      reason: 'business',
    });
    expect(matches(subscription(), event({ topic: 'templates' }))).toEqual({
      matched: false,
      reason: 'topic',
    });
  });

  it('delivers only the environments listed, all when none are', () => {
    const production = subscription({ environments: ['production'] });
    expect(matches(production, event({ environment: 'production' })).matched).toBe(true);
    expect(matches(production, event({ environment: 'sandbox' }))).toEqual({
      matched: false,
      reason: 'environment',
    });
    expect(matches(subscription(), event({ environment: 'sandbox' })).matched).toBe(true);
  });

  it('delivers only the event types listed, by name or glob', () => {
    const received = subscription({ eventTypes: ['whatsapp.message.received'] });
    expect(matches(received, event()).matched).toBe(true);
    expect(matches(received, event({ type: 'whatsapp.message.status_updated' })).matched).toBe(
      false,
    );
    const campaigns = subscription({ eventTypes: ['whatsapp.message.*'] });
    expect(matches(campaigns, event({ type: 'whatsapp.message.status_updated' })).matched).toBe(
      true,
    );
    expect(matches(campaigns, event({ type: 'whatsapp.template.status_changed' }))).toEqual({
      matched: false,
      reason: 'event_type',
    });
  });

  it('treats no channel types as all, and otherwise needs whatsapp (the channel of every event)', () => {
    expect(matches(subscription({ channelTypes: ['whatsapp'] }), event()).matched).toBe(true);
    expect(matches(subscription({ channelTypes: ['WhatsApp', 'sms'] }), event()).matched).toBe(
      true,
    );
    expect(matches(subscription({ channelTypes: ['sms'] }), event())).toEqual({
      matched: false,
      reason: 'channel_type',
    });
    // an event that names its channel is judged by it, and a data field named channel is not
    expect(
      matches(subscription({ channelTypes: ['sms'] }), event({ channel: 'sms' })).matched,
    ).toBe(true);
    expect(
      matches(subscription({ channelTypes: ['sms'] }), event({}, { channel: 'sms' })).matched,
    ).toBe(false);
  });

  it.each<[string, CloudEvent['topic']]>([
    ['connectly/sms-message-with-extras.json', 'messages'],
    ['connectly/delivery-status-sms-read.json', 'delivery_status'],
  ])('routes the SMS event of %s by its channel, for any provider', (path, topic) => {
    // given the event the normalizer makes of a Connectly SMS webhook: channel from channelType
    const body = fixtureJson<{ recipient: { channelType: string } }>(path);
    const sms = event({
      provider: 'connectly',
      topic,
      channel: body.recipient.channelType,
    });
    const onTopic = (channelTypes: string[]) =>
      subscriptionRecord({ businessId: 'biz_acme', topic, configuration: { channelTypes } });

    // then an SMS subscription takes it and a WhatsApp-only one does not
    expect(matches(onTopic(['sms']), sms)).toEqual({ matched: true });
    expect(matches(onTopic(['SMS']), sms)).toEqual({ matched: true });
    expect(matches(onTopic(['whatsapp']), sms)).toEqual({ matched: false, reason: 'channel_type' });
    expect(matches(onTopic([]), sms)).toEqual({ matched: true });
    // and a Meta event, on WhatsApp, goes to WhatsApp subscriptions only
    const meta = event({
      provider: 'meta',
      topic,
      channel: 'whatsapp',
    });
    expect(matches(onTopic(['whatsapp']), meta)).toEqual({ matched: true });
    expect(matches(onTopic(['sms']), meta)).toEqual({ matched: false, reason: 'channel_type' });
  });

  it('delivers message echoes only to subscriptions that asked for them', () => {
    const echoed = event({ type: 'whatsapp.message.echoed' });
    expect(matches(subscription(), echoed)).toEqual({ matched: false, reason: 'echo' });
    expect(matches(subscription({ echo: true }), echoed).matched).toBe(true);
  });

  it('needs every filter to match a glob over its field, and refuses events without the field', () => {
    // given a subscription to spring campaigns' text messages
    const record = subscription({
      filters: [
        { field: 'campaign_name', expression: 'spring-sale-*' },
        { field: 'message_type', expression: 'text' },
      ],
    });

    // then only an event with both fields matching is delivered
    expect(
      matches(record, event({}, { campaignName: 'spring-sale-2026', messageType: 'text' })),
    ).toEqual({ matched: true });
    expect(
      matches(record, event({}, { campaignName: 'summer-sale', messageType: 'text' })),
    ).toEqual({ matched: false, reason: 'filter' });
    expect(matches(record, event({}, { messageType: 'text' }))).toEqual({
      matched: false,
      reason: 'filter',
    });
  });

  it('matches a literal expression with glob characters as itself', () => {
    const record = subscription({
      filters: [{ field: 'campaign_name', expression: 'Sale (spring)' }],
    });
    expect(matches(record, event({}, { campaignName: 'Sale (spring)' })).matched).toBe(true);
    expect(matches(record, event({}, { campaignName: 'Sale spring' })).matched).toBe(false);
  });

  it.each([
    ['spring-sale-*', 'spring-sale-2026', true],
    ['{spring,summer}-sale-*', 'summer-sale-2026', true],
    ['{spring,summer}-sale-*', 'autumn-sale-2026', false],
    ['campaign-{01..12}', 'campaign-07', true],
    ['campaign-[0-9][0-9]', 'campaign-7x', false],
    ['?ale', 'sale', true],
    ['[!t]*', 'test-1', false],
    ['!test-*', 'launch', true],
    ['!test-*', 'test-1', false],
  ])('filters with the glob %j: %j matches is %s', (expression, campaignName, expected) => {
    const record = subscription({ filters: [{ field: 'campaign_name', expression }] });
    expect(matches(record, event({}, { campaignName })).matched).toBe(expected);
  });

  it('looks at the first 1024 characters of a value only', () => {
    const long = 'spring-' + 'x'.repeat(2000) + '-end';
    const prefix = subscription({ filters: [{ field: 'campaign_name', expression: 'spring-*' }] });
    const suffix = subscription({ filters: [{ field: 'campaign_name', expression: '*-end' }] });
    expect(MAX_MATCHED_LENGTH).toBe(1024);
    expect(matches(prefix, event({}, { campaignName: long })).matched).toBe(true);
    expect(matches(suffix, event({}, { campaignName: long })).matched).toBe(false);
    expect(matches(suffix, event({}, { campaignName: 'spring-end' })).matched).toBe(true);
  });

  it('matches a stored pattern it cannot run (unsupported or over the limits) as its literal text', () => {
    // records already on the config topic are not validated again
    for (const expression of ['!(draft)*', '*(a|aa)'.repeat(20), 'x'.repeat(300) + '*']) {
      const record = subscription({ filters: [{ field: 'campaign_name', expression }] });
      expect(matches(record, event({}, { campaignName: expression })).matched).toBe(true);
      expect(matches(record, event({}, { campaignName: 'final' })).matched).toBe(false);
    }
  });

  describe('cost', () => {
    const tenKB = 'a'.repeat(10_000);

    // Picomatch backtracked for minutes on these (`'*a'.repeat(50) + 'b'` already takes seconds on
    // 56 characters); registration now refuses them, but records stored before are still run.
    it.each([
      ["'*a'.repeat(50) + 'b'", '*a'.repeat(50) + 'b'],
      ["'a*'.repeat(100) + 'b'", 'a*'.repeat(100) + 'b'],
      ["'*[a-z]*[!b]'.repeat(20) + 'b'", '*[a-z]*[!b]'.repeat(20) + 'b'],
      ["'*{a,aa}'.repeat(20) + 'b'", '*{a,aa}'.repeat(20) + 'b'],
    ])('a stored filter %s takes at most one automaton step a character it reads', (_, glob) => {
      const matcher = new SubscriptionMatcher(
        subscription({
          filters: Array.from({ length: 20 }, () => ({
            field: 'campaign_name' as const,
            expression: glob,
          })),
        }),
      );
      const hostile = event({}, { campaignName: tenKB });
      const before = stepsTaken();
      for (let i = 0; i < 10; i++) expect(matcher.match(hostile).matched).toBe(false);
      // the first filter fails: at most one automaton step a character it reads, 10 times
      expect(stepsTaken() - before).toBeLessThanOrEqual(10 * MAX_MATCHED_LENGTH);
    });

    it("bounds what another tenant's hostile filters cost a batch, and answers both right", () => {
      // given a tenant whose 20 stored filters picomatch could not finish, all matching its events
      const hostile = new SubscriptionMatcher(
        subscriptionRecord({
          businessId: 'biz_hostile',
          configuration: {
            eventTypes: ['whatsapp.*.*'],
            filters: Array.from({ length: 20 }, (_, i) => ({
              field: 'campaign_name' as const,
              expression: '*a'.repeat(40 + i) + '*',
            })),
          },
        }),
      );
      const normal = new SubscriptionMatcher(
        subscriptionRecord({
          configuration: { filters: [{ field: 'campaign_name', expression: 'spring-*' }] },
        }),
      );
      const theirs = Array.from({ length: 200 }, () =>
        event({ businessid: 'biz_hostile' }, { campaignName: 'a'.repeat(10_000) }),
      );
      const ours = Array.from({ length: 200 }, (_, i) =>
        event({}, { campaignName: `spring-${i}` }),
      );

      // when both are matched in one interleaved batch
      const before = stepsTaken();
      const answers = ours.flatMap((e, i) => [
        hostile.match(theirs[i]!).matched,
        normal.match(e).matched,
      ]);

      // then every event matches its own subscription, and the whole batch took at most one
      // step per character each filter may read (each of theirs: 20 filters × 1,024 characters
      // plus its event type; each of ours: its campaign name)
      expect(answers.every(Boolean)).toBe(true);
      const bound = 200 * (20 * MAX_MATCHED_LENGTH + 64) + 200 * 64;
      expect(stepsTaken() - before).toBeLessThanOrEqual(bound);
    });
  });
});

describe('eventFields', () => {
  it('reads the canonical camelCase fields', () => {
    const fields = eventFields(
      event(
        { type: 'whatsapp.message.status_updated' },
        {
          status: 'delivered',
          messageType: 'text',
          business: { phoneNumberId: '106540352242922', wabaId: null },
          campaignName: 'spring',
        },
      ),
    );
    expect(fields).toEqual({
      event_type: 'whatsapp.message.status_updated',
      status: 'delivered',
      message_type: 'text',
      phone_number_id: '106540352242922',
      campaign_name: 'spring',
    });
  });

  it('falls back to nested and snake_case names, ignoring values of the wrong type', () => {
    const fields = eventFields(
      event(
        {},
        {
          campaign: { name: 'autumn' },
          message: { type: 'image' },
          phoneNumberId: 106540352242922,
          status: { code: 3 },
        },
      ),
    );
    expect(fields).toMatchObject({
      campaign_name: 'autumn',
      message_type: 'image',
      phone_number_id: '106540352242922',
    });
    expect(fields.status).toBeUndefined();
  });
});
