import fc from 'fast-check';
import { z } from 'zod';

import { jsonSchemaErrors } from '../../test/json-schema-validator';
import { SubscriptionTopic } from '../common';
import { examples } from '../examples';
import { type NamedSchemaName, namedSchemaNames, toJsonSchema } from '../json-schemas';
import {
  CanonicalEvent,
  EventCatalog,
  eventSchemas,
  eventTopicOf,
  eventTypeDefinition,
  validateCanonicalEvent,
} from './catalog';
import { eventExamples } from './examples';

type Json = Record<string, unknown>;

/** A deep copy of an example with some attributes (or data fields) replaced. */
function changed(example: object, attributes: Json, data: Json = {}): Json {
  const copy = structuredClone(example) as Json;
  return { ...copy, ...attributes, data: { ...(copy.data as Json), ...data } };
}

const entries = EventCatalog.map((entry) => [entry.type, entry] as const);

describe('EventCatalog', () => {
  it.each(entries)('%s has a topic, a schema and a valid example', (type, entry) => {
    // given
    const example = eventExamples[entry.schemaName];

    // then
    expect(SubscriptionTopic.options).toContain(entry.topic);
    expect(eventSchemas[entry.schemaName]).toBe(entry.schema);
    expect(entry.schema.safeParse(example).success).toBe(true);
    expect(example.topic).toBe(entry.anyTopic ? 'messages' : entry.topic);
    expect(eventTypeDefinition(example.type)).toBe(entry);
    expect(type === example.type || entry.familyPrefix !== null).toBe(true);
  });

  it.each(entries)('%s has a JSON Schema that accepts its example', (_type, entry) => {
    // given
    const name: NamedSchemaName = entry.schemaName;

    // when
    const jsonSchema = toJsonSchema(name);

    // then
    expect(namedSchemaNames).toContain(name);
    expect(jsonSchema.title).toBe(name);
    expect(jsonSchemaErrors(jsonSchema, eventExamples[entry.schemaName])).toEqual([]);
  });

  it('has one entry per schema and unique types', () => {
    const types = EventCatalog.map((entry) => entry.type);

    expect(new Set(types).size).toBe(types.length);
    expect(EventCatalog.map((entry) => entry.schemaName).sort()).toEqual(
      Object.keys(eventSchemas).sort(),
    );
  });

  it('lists every type DESIGN.md names, each on its topic', () => {
    expect(
      Object.fromEntries(EventCatalog.map((entry) => [entry.type, entry.topic] as const)),
    ).toEqual({
      'whatsapp.message.received': 'messages',
      'whatsapp.message.echoed': 'messages',
      'whatsapp.message.status_updated': 'delivery_status',
      'whatsapp.error.reported': 'messages',
      'whatsapp.template.status_changed': 'templates',
      'whatsapp.template.quality_changed': 'templates',
      'whatsapp.template.category_changed': 'templates',
      'whatsapp.account.quality_changed': 'account',
      'whatsapp.account.updated': 'account',
      'whatsapp.account.alert': 'account',
      'whatsapp.user.preferences_changed': 'users',
      'whatsapp.flow.event': 'flows',
      'whatsapp.call.event': 'calls',
      'whatsapp.change.unrecognized': 'account',
      'platform.campaign.*': 'platform',
      'platform.flow_session.*': 'platform',
      'platform.contact.*': 'platform',
      'platform.conversation.*': 'platform',
      'webhook.test': 'platform',
    });
  });

  it('gives every subscription topic at least one event type', () => {
    const topics = new Set(EventCatalog.map((entry) => entry.topic));

    expect([...topics].sort()).toEqual([...SubscriptionTopic.options].sort());
  });
});

describe(eventTypeDefinition.name, () => {
  it.each([
    ['platform.campaign.started', 'platform.campaign.*'],
    ['platform.conversation.assigned', 'platform.conversation.*'],
    ['platform.flow_session.completed', 'platform.flow_session.*'],
    ['whatsapp.message.received', 'whatsapp.message.received'],
  ])('finds %s under %s', (type, entryType) => {
    expect(eventTypeDefinition(type)?.type).toBe(entryType);
    expect(eventTopicOf(type)).toBe(eventTypeDefinition(entryType)?.topic);
  });

  it.each(['whatsapp.message', 'platform.campaign', 'platform.payment.created', '', 'toString'])(
    'knows no type %j',
    (type) => {
      expect(eventTypeDefinition(type)).toBeUndefined();
    },
  );
});

describe(validateCanonicalEvent.name, () => {
  it.each(entries)('accepts the example of %s', (_type, entry) => {
    // when
    const result = validateCanonicalEvent(eventExamples[entry.schemaName]);

    // then
    expect(result.ok).toBe(true);
  });

  it.each<[string, Json, string]>([
    [
      'a message on another topic',
      changed(eventExamples.MessageReceivedEvent, { topic: 'account' }),
      'topic',
    ],
    [
      'a message without its content',
      changed(eventExamples.MessageReceivedEvent, {}, { content: undefined }),
      'data.content',
    ],
    [
      'a content type nobody defined',
      changed(eventExamples.MessageReceivedEvent, {}, { content: { type: 'hologram' } }),
      'data.content.type',
    ],
    [
      'a data timestamp with an offset (data times are UTC)',
      changed(eventExamples.MessageReceivedEvent, {}, { timestamp: '2025-06-08T23:59:43+03:00' }),
      'data.timestamp',
    ],
    [
      'a status outside the enumeration',
      changed(eventExamples.MessageStatusUpdatedEvent, {}, { status: 'delivery_failed' }),
      'data.status',
    ],
    [
      'a status without its message id',
      changed(eventExamples.MessageStatusUpdatedEvent, {}, { messageId: '' }),
      'data.messageId',
    ],
    [
      'a template event without the event',
      changed(eventExamples.TemplateStatusChangedEvent, {}, { event: null }),
      'data.event',
    ],
    [
      'an account update with an unknown change',
      changed(eventExamples.AccountUpdatedEvent, {}, { change: 'account_deleted' }),
      'data.change',
    ],
    [
      'an unrecognized change without its field',
      changed(eventExamples.ChangeUnrecognizedEvent, {}, { field: '' }),
      'data.field',
    ],
    [
      'a platform event whose name is not snake_case',
      changed(eventExamples.PlatformCampaignEvent, { type: 'platform.campaign.Started' }),
      'type',
    ],
    [
      'a platform event without a name',
      changed(eventExamples.PlatformCampaignEvent, { type: 'platform.campaign.' }),
      'type',
    ],
    [
      'a platform event without its payload',
      changed(eventExamples.PlatformContactEvent, {}, { payload: undefined }),
      'data.payload',
    ],
    [
      'a call event with a duration in words',
      changed(eventExamples.CallEvent, {}, { durationSeconds: 'two minutes' }),
      'data.durationSeconds',
    ],
    [
      'an unknown type',
      changed(eventExamples.MessageReceivedEvent, { type: 'whatsapp.x' }),
      'type',
    ],
  ])('refuses %s', (_label, event, path) => {
    // when
    const result = validateCanonicalEvent(event);

    // then
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it('accepts webhook.test on any topic, and only it', () => {
    for (const topic of SubscriptionTopic.options) {
      expect(validateCanonicalEvent({ ...examples.WebhookTestEvent, topic }).ok).toBe(true);
    }
    expect(validateCanonicalEvent({ ...examples.CallEvent, topic: 'messages' }).ok).toBe(false);
  });

  it('keeps attributes and data fields added later', () => {
    // given
    const event = changed(
      eventExamples.MessageReceivedEvent,
      { traceparent: '00-4bf92f3577b34da6-00f067aa0ba902b7-01' },
      {},
    );

    // when
    const result = validateCanonicalEvent(event);

    // then
    expect(result.ok && result.event.traceparent).toBe(event.traceparent);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = validateCanonicalEvent(value);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});

describe('CanonicalEvent', () => {
  it('parses a known event to its type and reports the issues of a bad one', () => {
    // when
    const good = CanonicalEvent.safeParse(eventExamples.FlowEvent);
    const bad = CanonicalEvent.safeParse(changed(eventExamples.FlowEvent, { topic: 'calls' }));

    // then
    expect(good.success && good.data.type).toBe('whatsapp.flow.event');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['topic']);
  });

  it('is a union whose members narrow by type', () => {
    // given
    const event: CanonicalEvent = eventExamples.MessageStatusUpdatedEvent;

    // then
    if (event.type === 'whatsapp.message.status_updated') {
      const status: 'sent' | 'delivered' | 'read' | 'played' | 'failed' | 'deleted' | 'unknown' =
        event.data.status;
      expect(status).toBe('sent');
    }
    expect(z.string().parse(event.type)).toBe('whatsapp.message.status_updated');
  });
});
