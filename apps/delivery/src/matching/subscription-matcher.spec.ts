import type {
  CloudEvent,
  SubscriptionConfiguration,
  SubscriptionRecord,
} from '@switchboard/contracts';
import { cloudEvent, subscriptionRecord } from '../../test/builders';
import { eventFields } from './event-fields';
import { SubscriptionMatcher } from './subscription-matcher';

function subscription(configuration: Partial<SubscriptionConfiguration> = {}): SubscriptionRecord {
  return subscriptionRecord({ businessId: 'biz_acme', topic: 'messages', configuration });
}

/** A message event with other attributes and, when given, exactly this data. */
function event(overrides: Partial<CloudEvent> = {}, data?: Record<string, unknown>): CloudEvent {
  return cloudEvent(data ? { ...overrides, data } : overrides);
}

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
    // an event that names its channel is judged by it
    expect(
      matches(subscription({ channelTypes: ['sms'] }), event({}, { channel: 'sms' })).matched,
    ).toBe(true);
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
