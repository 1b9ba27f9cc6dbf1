import {
  type CanonicalEvent,
  ceHeaders,
  encode,
  eventSchemas,
  examples,
  publicTopic,
  validateCanonicalEvent,
} from '@switchboard/contracts';
import { fixturePaths, mapFixture, providers } from '../../test/mapping';
import { TopicNames, TopicPublisher } from '@switchboard/kafka';
import { EventPublisher, type PublishableEvent } from './event.publisher';

/** What normalize answers for a valid event: the value its type's schema parsed. */
function validated(value: unknown): CanonicalEvent {
  const result = validateCanonicalEvent(value);
  if (!result.ok) throw new Error(result.message);
  return result.event;
}

/** Every event the mappers make of every fixture, and every example of the contracts package. */
const events: CanonicalEvent[] = [
  ...providers.flatMap((provider) =>
    fixturePaths(provider).flatMap((path) => {
      try {
        return mapFixture(path);
      } catch {
        return []; // fixtures of payloads that are dead-lettered
      }
    }),
  ),
  ...Object.keys(eventSchemas).map((name) => validated(examples[name as keyof typeof examples])),
];

describe(EventPublisher.name, () => {
  it('has events of every kind to check', () => {
    expect(new Set(events.map((e) => e.type)).size).toBeGreaterThanOrEqual(15);
  });

  it.each(events.map((event) => [event.type, event] as const))(
    'publishes a %s as exactly the bytes encode() gives for its topic',
    (_type, event) => {
      // The publisher sends JSON.stringify(event) without a second validation; this pins that the
      // contract's own encoder would have written the very same value.
      expect(JSON.stringify(event)).toBe(encode(publicTopic(event.topic), event).toString('utf8'));
    },
  );

  it('sends each event to its public topic with its key, value and CloudEvents headers', async () => {
    // given a publisher over a producer that records what it is given
    const sent: { topic: string; message: { key: string | null; value: unknown } }[] = [];
    const producer = { sendAll: async (messages: typeof sent) => void sent.push(...messages) };
    const publisher = new EventPublisher(
      new TopicPublisher(producer as never, new TopicNames('p.')),
    );
    const items: PublishableEvent[] = events
      .slice(0, 3)
      .map((event) => ({ event, json: JSON.stringify(event) }));

    // when
    await publisher.publish(items, []);

    // then
    expect(sent).toEqual(
      items.map(({ event, json }) => ({
        topic: `p.switchboard.${event.topic}.v1`,
        message: {
          key: event.subject ? event.subject : event.id,
          value: Buffer.from(json),
          headers: ceHeaders(event),
        },
        traceContext: undefined,
      })),
    );
  });
});
