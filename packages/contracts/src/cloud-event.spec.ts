import { z } from 'zod';

import {
  CloudEvent,
  cloudEventAttributeNames,
  cloudEventExtensionNames,
  cloudEventOf,
  conversationKey,
} from './cloud-event';
import { examples } from './examples';

describe('CloudEvent', () => {
  it.each([
    ['a message event derived from a raw webhook', examples.CloudEvent],
    [
      'a webhook.test event Switchboard made itself (no rawid, no subject)',
      examples.WebhookTestEvent,
    ],
  ])('accepts %s', (_label, event) => {
    expect(CloudEvent.safeParse(event).success).toBe(true);
  });

  it('passes unknown extension attributes through', () => {
    // given
    const event = {
      ...examples.CloudEvent,
      traceparent: '00-4bf92f3577b34da6-00f067aa0ba902b7-01',
    };

    // when
    const result = CloudEvent.parse(event);

    // then
    expect(result.traceparent).toBe(event.traceparent);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['another spec version', { specversion: '0.3' }, 'specversion'],
    ['another content type', { datacontenttype: 'text/plain' }, 'datacontenttype'],
    ['an unknown topic', { topic: 'payments' }, 'topic'],
    ['an unknown provider', { provider: 'twilio' }, 'provider'],
    ['no business id', { businessid: undefined }, 'businessid'],
    ['a time without offset', { time: '2025-06-08 20:59:43' }, 'time'],
    ['data that is not an object', { data: 'hello' }, 'data'],
    ['an empty id', { id: '' }, 'id'],
  ])('refuses %s', (_label, change, path) => {
    // when
    const result = CloudEvent.safeParse({ ...examples.CloudEvent, ...change });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toContain(path);
  });

  it.each([...cloudEventAttributeNames])(
    'names attribute "%s" as CloudEvents requires (lowercase a-z, 0-9, at most 20)',
    (name) => {
      expect(name).toMatch(/^[a-z0-9]{1,20}$/);
    },
  );

  it('defines every extension attribute Switchboard adds', () => {
    expect(cloudEventAttributeNames).toEqual(expect.arrayContaining([...cloudEventExtensionNames]));
  });
});

describe(cloudEventOf.name, () => {
  const StatusUpdated = cloudEventOf(
    'whatsapp.message.status_updated',
    z.object({ messageId: z.string(), status: z.enum(['sent', 'delivered', 'read', 'failed']) }),
  );
  const statusEvent = {
    ...examples.CloudEvent,
    topic: 'delivery_status',
    type: 'whatsapp.message.status_updated',
    data: { messageId: 'wamid.1', status: 'read' },
  };

  it('accepts an event of its type with matching data', () => {
    // when
    const event = StatusUpdated.parse(statusEvent);

    // then
    const status: 'sent' | 'delivered' | 'read' | 'failed' = event.data.status;
    expect(status).toBe('read');
    expect(event.type).toBe('whatsapp.message.status_updated');
  });

  it('refuses another type', () => {
    // when
    const result = StatusUpdated.safeParse({ ...statusEvent, type: 'whatsapp.message.received' });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['type']);
  });

  it('refuses data of the wrong shape, naming the path', () => {
    // when
    const result = StatusUpdated.safeParse({ ...statusEvent, data: { messageId: 'wamid.1' } });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['data', 'status']);
  });

  it('keeps the common attributes of every event', () => {
    // when
    const result = StatusUpdated.safeParse({ ...statusEvent, businessid: undefined });

    // then
    expect(result.success).toBe(false);
  });
});

describe(conversationKey.name, () => {
  it('joins the business phone number id and the contact', () => {
    expect(conversationKey('106540352242922', '16505551234')).toBe('106540352242922:16505551234');
  });
});
