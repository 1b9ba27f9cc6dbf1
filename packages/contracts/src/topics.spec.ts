import { SubscriptionTopic } from './common';
import { eventExamples } from './events/examples';
import { examples } from './examples';
import {
  ConfigTopic,
  DeliveryAttemptsTopic,
  DeliveryCommandsTopic,
  InboundDeadLetterTopic,
  InboundRawBulkTopic,
  InboundRawTopic,
  InboundRejectedTopic,
  NormalizerCommandsTopic,
  PublicTopics,
  SubscriptionEventsTopic,
  TopicCatalog,
  allTopics,
  publicTopic,
  publicTopicName,
  topicByName,
} from './topics';

const MiB = 1024 * 1024;

describe('topic catalog', () => {
  it.each(TopicCatalog.map((topic) => [topic.name, topic] as const))(
    '%s follows the naming rule and is fully described',
    (_name, topic) => {
      expect(topic.name).toMatch(/^switchboard\.[a-z_.]+\.v\d+$/);
      expect(topic.name.endsWith(`.v${topic.version}`)).toBe(true);
      expect(topic.description).not.toHaveLength(0);
      expect(topic.key).not.toHaveLength(0);
      expect(typeof topic.keyOf).toBe('function');
      expect(Number.isInteger(topic.partitions) && topic.partitions > 0).toBe(true);
      expect(topic.maxMessageBytes).toBeGreaterThanOrEqual(MiB);
    },
  );

  it('has unique names', () => {
    const names = TopicCatalog.map((topic) => topic.name);

    expect(new Set(names).size).toBe(names.length);
  });

  it('compacts the config topic and keeps it forever', () => {
    expect(ConfigTopic.cleanupPolicy).toBe('compact');
    expect(ConfigTopic.retentionMs).toBeNull();
  });

  it('gives every deleting topic a retention and only the config topic is compacted', () => {
    const compacted = TopicCatalog.filter((topic) => topic.cleanupPolicy === 'compact');

    expect(compacted).toEqual([ConfigTopic]);
    for (const topic of TopicCatalog.filter((t) => t.cleanupPolicy === 'delete')) {
      expect(topic.retentionMs).toBeGreaterThan(0);
    }
  });

  it('has a public topic for every subscription topic', () => {
    for (const topic of SubscriptionTopic.options) {
      expect(topicByName(publicTopicName(topic))).toBe(publicTopic(topic));
      expect(PublicTopics[topic].name).toBe(`switchboard.${topic}.v1`);
    }
  });

  it('lets raw and dead-lettered records hold a 3 MB body base64-encoded', () => {
    const base64OfThreeMb = Math.ceil((3 * 1000 * 1000) / 3) * 4;

    expect(InboundRawTopic.maxMessageBytes).toBeGreaterThanOrEqual(8 * MiB);
    expect(InboundRawTopic.maxMessageBytes).toBeGreaterThan(base64OfThreeMb);
    expect(InboundDeadLetterTopic.maxMessageBytes).toBeGreaterThanOrEqual(
      InboundRawTopic.maxMessageBytes,
    );
  });

  it('provisions every topic in the catalog', () => {
    expect(allTopics()).toEqual(TopicCatalog);
    expect(allTopics()).toHaveLength(9 + SubscriptionTopic.options.length);
  });

  it('knows no topic outside the catalog', () => {
    expect(topicByName('switchboard.payments.v1')).toBeUndefined();
  });
});

describe('topic keys', () => {
  it('keys records as the catalog describes', () => {
    expect(InboundRawTopic.keyOf?.(examples.RawInboundEnvelope)).toBe('src_meta_acme');
    expect(InboundRawBulkTopic.keyOf?.(examples.RawInboundEnvelope)).toBe('src_meta_acme');
    expect(InboundRejectedTopic.keyOf?.(examples.RejectedRequest)).toBe('src_connectly_acme');
    expect(InboundDeadLetterTopic.keyOf?.(examples.DeadLetter)).toBe(
      examples.RawInboundEnvelope.id,
    );
    expect(InboundDeadLetterTopic.keyOf?.(examples.DeadLetterFromBytes)).toBe(
      examples.DeadLetterFromBytes.id,
    );
    expect(ConfigTopic.keyOf?.(examples.SubscriptionRecord)).toBe('subscription:biz_acme:messages');
    expect(DeliveryAttemptsTopic.keyOf?.(examples.DeliveryAttempt)).toBe('sub_acme_messages');
    expect(DeliveryCommandsTopic.keyOf?.(examples.RecoverDeliveriesCommand)).toBe('biz_acme');
    expect(NormalizerCommandsTopic.keyOf?.(examples.NormalizerCommand)).toBe(
      examples.RawInboundEnvelope.id,
    );
    expect(SubscriptionEventsTopic.keyOf?.(examples.SubscriptionHealthEvent)).toBe(
      'sub_acme_messages',
    );
  });

  it('keeps one conversation in one partition of the messages topic', () => {
    expect(PublicTopics.messages.keyOf?.(examples.CloudEvent)).toBe('106540352242922:16505551234');
  });

  it('keys a status by the conversation of its message: the same key as the message', () => {
    // given a message received from a customer and a status of a message sent to them
    const status = eventExamples.MessageStatusUpdatedEvent;

    // then both are keyed by the business's phone number id and the customer's wa_id
    expect(PublicTopics.delivery_status.keyOf?.(status)).toBe(
      `${status.data.business.phoneNumberId}:${status.data.recipientId}`,
    );
    expect(PublicTopics.delivery_status.keyOf?.(status)).toBe(
      PublicTopics.messages.keyOf?.(examples.CloudEvent),
    );
  });

  it('spreads events without a subject by their id', () => {
    expect(PublicTopics.messages.keyOf?.(examples.WebhookTestEvent)).toBe(
      examples.WebhookTestEvent.id,
    );
  });
});
