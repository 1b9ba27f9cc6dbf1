import type { z } from 'zod';

import { CloudEvent } from './cloud-event';
import { SubscriptionTopic } from './common';
import { ConfigRecord, configKey } from './config-records';
import { DeliveryAttempt, DeliveryCommand, SubscriptionHealthEvent } from './delivery';
import { DeadLetter, RejectedRequest } from './inbound-failures';
import { NormalizerCommand } from './normalizer-commands';
import { RawInboundEnvelope } from './raw-inbound';

export type CleanupPolicy = 'delete' | 'compact';

/** One Kafka topic: its name, how it is keyed and kept, and the schema of its values. */
export interface TopicDefinition<
  S extends z.ZodType = z.ZodType,
  P extends CleanupPolicy = CleanupPolicy,
> {
  readonly name: string;
  readonly description: string;
  /** What the record key is, in words. */
  readonly key: string;
  /** Derives the record key from a value, where the value holds it. */
  keyOf?(value: z.output<S>): string;
  readonly partitions: number;
  readonly cleanupPolicy: P;
  /** How long records are kept; null keeps them forever (compacted topics keep the latest). */
  readonly retentionMs: number | null;
  readonly maxMessageBytes: number;
  readonly schema: S;
  readonly version: 1;
  /** Headers every record carries, by name, with what they hold (AsyncAPI); none when absent. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The header values of a record, derived from its value. */
  headersOf?(value: z.output<S>): Record<string, string>;
  /**
   * What a consumer does with a record that does not decode or fit the schema: skip it (logged
   * and counted; the default) or dead-letter it.
   */
  readonly onInvalid?: 'skip' | 'dead_letter';
}

/** Any topic in the catalog, whatever its schema. */
export type AnyTopicDefinition = TopicDefinition<z.ZodType, CleanupPolicy>;

const MiB = 1024 * 1024;
const days = (n: number): number => n * 24 * 60 * 60 * 1000;

function defineTopic<S extends z.ZodType, P extends CleanupPolicy>(
  definition: TopicDefinition<S, P>,
): TopicDefinition<S, P> {
  return Object.freeze(definition);
}

/** Every verified webhook as received; ingress acknowledges only once it is here. */
export const InboundRawTopic = defineTopic({
  name: 'switchboard.inbound.raw.v1',
  description: 'Verified webhook requests exactly as received, written by ingress',
  key: 'source id',
  keyOf: (envelope) => envelope.sourceId,
  partitions: 12,
  cleanupPolicy: 'delete',
  retentionMs: days(7),
  // Meta bodies reach 3 MB and travel base64-encoded (4/3 larger) inside the envelope.
  maxMessageBytes: 8 * MiB,
  schema: RawInboundEnvelope,
  version: 1,
  // The normalizer dead-letters a raw record it cannot read, so nothing received is dropped.
  onInvalid: 'dead_letter',
});

/**
 * Verified webhooks larger than ingress's `BULK_WEBHOOK_BYTES` (a Meta batch of hundreds of
 * statuses), written by ingress instead of the raw topic: the normalizer reads them apart, at a
 * bounded pace, so a business posting huge batches never holds up the webhooks of others.
 */
export const InboundRawBulkTopic = defineTopic({
  ...InboundRawTopic,
  name: 'switchboard.inbound.raw.bulk.v1',
  description:
    'Verified webhook requests over the bulk size, exactly as received, written by ingress; read apart at a bounded pace',
});

export const InboundRejectedTopic = defineTopic({
  name: 'switchboard.inbound.rejected.v1',
  description: 'Requests ingress refused (bad signature, unknown source, ...), without bodies',
  key: 'source id, or "unknown"',
  keyOf: (rejected) => rejected.sourceId,
  partitions: 3,
  cleanupPolicy: 'delete',
  retentionMs: days(3),
  maxMessageBytes: MiB,
  schema: RejectedRequest,
  version: 1,
});

export const InboundDeadLetterTopic = defineTopic({
  name: 'switchboard.inbound.dlq.v1',
  description: 'Raw records the normalizer could not process, with reason and issues',
  key: 'raw id, or the dead letter id when the raw record did not decode',
  keyOf: (deadLetter) => deadLetter.rawId ?? deadLetter.id,
  partitions: 3,
  cleanupPolicy: 'delete',
  retentionMs: days(14),
  // A dead letter carries the whole raw envelope.
  maxMessageBytes: 8 * MiB,
  schema: DeadLetter,
  version: 1,
  headers: {
    'content-type': 'application/json',
    reason: "The dead letter's reason code, so a consumer can filter without decoding",
  },
  headersOf: (deadLetter) => ({
    'content-type': 'application/json',
    reason: deadLetter.reason.code,
  }),
});

export const ConfigTopic = defineTopic({
  name: 'switchboard.config.v1',
  description: 'Sources and subscriptions, latest per key; a null value deletes the key',
  key: 'source:<id> or subscription:<businessId>:<topic>',
  keyOf: configKey,
  partitions: 3,
  cleanupPolicy: 'compact',
  retentionMs: null,
  maxMessageBytes: MiB,
  schema: ConfigRecord,
  version: 1,
});

export const DeliveryAttemptsTopic = defineTopic({
  name: 'switchboard.delivery.attempts.v1',
  description: 'Every outbound webhook attempt and its outcome',
  key: 'subscription id',
  keyOf: (attempt) => attempt.subscriptionId,
  partitions: 6,
  cleanupPolicy: 'delete',
  retentionMs: days(30),
  maxMessageBytes: MiB,
  schema: DeliveryAttempt,
  version: 1,
});

export const DeliveryCommandsTopic = defineTopic({
  name: 'switchboard.delivery.commands.v1',
  description: 'Operator instructions to the delivery service: retry, recover, test',
  key: 'business id',
  keyOf: (command) => command.businessId,
  partitions: 3,
  cleanupPolicy: 'delete',
  retentionMs: days(7),
  maxMessageBytes: MiB,
  schema: DeliveryCommand,
  version: 1,
});

export const NormalizerCommandsTopic = defineTopic({
  name: 'switchboard.normalizer.commands.v1',
  description: 'Instructions to the normalizer: replay a raw webhook from the audit log',
  key: 'raw id',
  keyOf: (command) => command.rawId,
  partitions: 3,
  cleanupPolicy: 'delete',
  retentionMs: days(7),
  maxMessageBytes: MiB,
  schema: NormalizerCommand,
  version: 1,
  headers: {},
});

export const SubscriptionEventsTopic = defineTopic({
  name: 'switchboard.subscriptions.events.v1',
  description: 'Endpoint health changes: failing, disabled, recovered',
  key: 'subscription id',
  keyOf: (event) => event.subscriptionId,
  partitions: 3,
  cleanupPolicy: 'delete',
  retentionMs: days(30),
  maxMessageBytes: MiB,
  schema: SubscriptionHealthEvent,
  version: 1,
});

/** The CloudEvents Kafka binding's attribute headers, beside the structured JSON value. */
const ceHeaderDescriptions = Object.freeze({
  'content-type': 'application/cloudevents+json; charset=utf-8',
  ce_specversion: 'CloudEvents spec version, 1.0',
  ce_id: 'The event id (idempotency key)',
  ce_type: 'The canonical event type, e.g. whatsapp.message.received',
  ce_source: 'The event source, e.g. switchboard/meta/<waba id>',
  ce_time: 'When the provider says it happened (RFC 3339)',
});

/**
 * CloudEvents Kafka binding attributes as headers, beside the structured JSON value, so a
 * consumer can route on type or id without parsing; `ce_subject` when the event has one.
 */
export function ceHeaders(event: z.output<typeof CloudEvent>): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/cloudevents+json; charset=utf-8',
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_time: event.time,
  };
  if (event.subject) headers.ce_subject = event.subject;
  return headers;
}

/**
 * The record key of a canonical event: its subject (`<phone_number_id>:<contact>` for
 * conversations, the entity id otherwise), or its id when it has none. A conversation's key is
 * the business's phone number id and the customer's wa_id; a status has its message's
 * conversation (the recipient's wa_id), so a message and its statuses share one key. Events of one
 * business only ever share a subject with the same business's (its phone number ids are its own),
 * so one conversation stays on one partition of each public topic, in the order the normalizer
 * published it; delivery's ordered mode (`configuration.ordering: conversation`) orders
 * deliveries by the same key within a subscription.
 */
export function eventKeyOf(event: Pick<z.output<typeof CloudEvent>, 'subject' | 'id'>): string {
  return event.subject ? event.subject : event.id;
}

export type PublicTopicDefinition = TopicDefinition<typeof CloudEvent, 'delete'>;

/** The Kafka topic that carries one subscription topic's canonical events. */
export function publicTopicName(topic: SubscriptionTopic): string {
  return `switchboard.${topic}.v1`;
}

const conversationKeyed = new Set<SubscriptionTopic>(['messages', 'delivery_status']);

function definePublicTopic(topic: SubscriptionTopic): PublicTopicDefinition {
  return defineTopic({
    name: publicTopicName(topic),
    description: `Canonical ${topic} events (CloudEvents 1.0, structured mode)`,
    key: conversationKeyed.has(topic)
      ? 'the event subject: <phone_number_id>:<contact> (a status: its recipient), so a conversation stays on one partition, in order'
      : 'the event subject: the entity id (template, account, flow, call, ...)',
    // The subject is the conversation or entity key; an event without one is spread by id.
    keyOf: eventKeyOf,
    partitions: 12,
    cleanupPolicy: 'delete',
    retentionMs: days(7),
    // A whatsapp.change.unrecognized event can carry a whole unparsed change value.
    maxMessageBytes: 4 * MiB,
    schema: CloudEvent,
    version: 1,
    headers: ceHeaderDescriptions,
    headersOf: ceHeaders,
  });
}

/** The public topic of each subscription topic. */
export const PublicTopics: Readonly<Record<SubscriptionTopic, PublicTopicDefinition>> =
  Object.freeze({
    messages: definePublicTopic('messages'),
    delivery_status: definePublicTopic('delivery_status'),
    templates: definePublicTopic('templates'),
    account: definePublicTopic('account'),
    users: definePublicTopic('users'),
    flows: definePublicTopic('flows'),
    calls: definePublicTopic('calls'),
    platform: definePublicTopic('platform'),
  });

/** The public topic of a subscription topic. */
export function publicTopic(topic: SubscriptionTopic): PublicTopicDefinition {
  return PublicTopics[topic];
}

/** Every topic Switchboard uses, internal first, then the public ones. */
export const TopicCatalog: readonly AnyTopicDefinition[] = Object.freeze([
  InboundRawTopic,
  InboundRawBulkTopic,
  InboundRejectedTopic,
  InboundDeadLetterTopic,
  ConfigTopic,
  DeliveryAttemptsTopic,
  DeliveryCommandsTopic,
  NormalizerCommandsTopic,
  SubscriptionEventsTopic,
  ...SubscriptionTopic.options.map(publicTopic),
]);

/** Every topic, for provisioning. */
export function allTopics(): readonly AnyTopicDefinition[] {
  return TopicCatalog;
}

/** The catalog entry of a topic name, if Switchboard defines it. */
export function topicByName(name: string): AnyTopicDefinition | undefined {
  return TopicCatalog.find((topic) => topic.name === name);
}
