import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CloudEvent, SubscriptionRecord } from '@switchboard/contracts';
import { eventually, type ReceivedRequest, TestReceiver, uniqueName } from '@switchboard/testing';
import fc from 'fast-check';
import { cloudEvent, subscriptionRecord } from '../../test/builders';
import { DeliveryTestBed } from '../../test/delivery-test-bed';
import { deliveryIdOf } from '../deliveries/delivery-id';
import { statusRankOf } from './ordering';

/** Environment of the service under test: a conversation blocked 4 s is dead-lettered. */
const ENV = { ORDERING_BLOCK_MAX_SECONDS: '4', SUBSCRIPTION_CONCURRENCY: '8' };
/** Retries 100 ms apart (the bed scales delays by 0.1). */
const QUICK_RETRIES = { schedule: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] };

const STATUSES = ['sent', 'delivered', 'read'] as const;

/** One generated conversation: customer messages, and statuses of the business's messages. */
interface Conversation {
  messages: number;
  /** Per business message, its statuses in the order of their event times. */
  statuses: (typeof STATUSES)[number][][];
}

interface Scenario {
  conversations: Conversation[];
  /** Seeds the interleaving of the conversations' events and the receiver's failures. */
  seed: number;
  /** Share of first attempts the receiver fails (each fails once or twice). */
  failureRate: number;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  conversations: fc.array(
    fc.record({
      messages: fc.integer({ min: 0, max: 5 }),
      statuses: fc.array(
        // A status sequence as Meta may time it: any order, repeats included.
        fc.array(fc.constantFrom(...STATUSES), { minLength: 1, maxLength: 4 }),
        { minLength: 0, maxLength: 3 },
      ),
    }),
    { minLength: 4, maxLength: 12 },
  ),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  failureRate: fc.constantFrom(0, 0.2, 0.5),
});

/** A small deterministic generator, so a failing scenario replays the same way. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function idOf(request: ReceivedRequest): string {
  return (JSON.parse(request.body) as { id: string }).id;
}

/** The ids a conversation received, a request repeated at once (after a restart) counted once. */
function sequence(requests: readonly ReceivedRequest[]): string[] {
  const ids: string[] = [];
  for (const request of requests) {
    if (request.headers['x-switchboard-attempt'] !== undefined && ids.at(-1) === idOf(request)) {
      continue;
    }
    ids.push(idOf(request));
  }
  return ids;
}

describe('ordered delivery and status monotonicity (real Kafka and PostgreSQL)', () => {
  const bed = new DeliveryTestBed();
  const receiver = new TestReceiver();
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    await bed.setUp();
    await receiver.start();
    app = await bed.startApp(ENV);
    await bed.follow();
  });

  afterAll(async () => {
    await app?.close();
    await receiver.stop();
    await bed.tearDown();
  });

  /** Restarts the service: its in-memory state is lost, only PostgreSQL and Kafka remain. */
  async function restart(): Promise<void> {
    await app?.close();
    app = undefined;
    app = await bed.startApp(ENV);
  }

  function subscription(
    businessId: string,
    topic: SubscriptionRecord['topic'],
    configuration: Partial<SubscriptionRecord['configuration']>,
  ): SubscriptionRecord & { path: string } {
    const path = uniqueName('hook');
    return {
      ...subscriptionRecord({
        businessId,
        topic,
        address: receiver.url(path),
        configuration: { retry: QUICK_RETRIES, ...configuration },
      }),
      path,
    };
  }

  /**
   * Waits until each subscription has a delivery for every event published to it (`expected`,
   * when given: the consumer may not have stored the last ones yet) and none is pending.
   */
  async function settled(
    ...subs: (SubscriptionRecord | [SubscriptionRecord, number])[]
  ): Promise<void> {
    await eventually(
      async () => {
        for (const entry of subs) {
          const [sub, expected] = Array.isArray(entry) ? entry : [entry, 0];
          const rows = await bed.deliveries(sub.id);
          if (rows.length < expected || rows.some((r) => r.state === 'pending')) return undefined;
        }
        return true;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'every delivery finished' },
    );
  }

  it('delivers each conversation in event-time order without gaps, never regressing a status, through failures and a restart', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ conversations, seed, failureRate }) => {
        // given a business with ordered subscriptions to messages and to statuses (those kept
        // monotonic), and another business's unordered subscription to messages as a control (one
        // subscription per business and topic)
        const businessId = uniqueName('biz');
        const controlBusinessId = uniqueName('biz');
        const messagesSub = subscription(businessId, 'messages', { ordering: 'conversation' });
        const statusSub = subscription(businessId, 'delivery_status', {
          ordering: 'conversation',
          statusMonotonic: true,
        });
        const controlSub = subscription(controlBusinessId, 'messages', {});
        await bed.applySubscriptions(app!, messagesSub, statusSub, controlSub);

        // and a receiver failing a random share of first attempts, once or twice each
        const next = random(seed);
        const failures = new Map<string, number>();
        for (const sub of [messagesSub, statusSub, controlSub]) {
          receiver.respond(sub.path, (request) => {
            const id = `${sub.id}:${idOf(request)}`;
            if (!failures.has(id)) {
              failures.set(id, next() < failureRate ? 1 + Math.floor(next() * 2) : 0);
            }
            const left = failures.get(id)!;
            if (left === 0) return { status: 200 };
            failures.set(id, left - 1);
            return { status: next() < 0.5 ? 503 : 500 };
          });
        }

        // and each conversation's events, in event-time order per conversation
        const base = Date.parse('2026-03-01T10:00:00Z');
        const perConversation: CloudEvent[][] = conversations.map((conversation, c) => {
          const subject = `106540352242922:1650555${String(c).padStart(4, '0')}`;
          const events: CloudEvent[] = [];
          let second = 0;
          const at = () => new Date(base + ++second * 1000).toISOString();
          for (let m = 0; m < conversation.messages; m += 1) {
            events.push(cloudEvent({ businessid: businessId, subject, time: at() }));
          }
          const statuses = conversation.statuses.flatMap((sequenceOf, message) =>
            sequenceOf.map((status) => ({ wamid: `wamid.${c}.${message}.${seed}`, status })),
          );
          // statuses of the conversation's messages interleaved at random
          statuses.sort(() => next() - 0.5);
          for (const { wamid, status } of statuses) {
            events.push(
              cloudEvent({
                businessid: businessId,
                topic: 'delivery_status',
                type: 'whatsapp.message.status_updated',
                subject,
                time: at(),
                data: { messageId: wamid, status, recipientId: subject.split(':')[1] },
              }),
            );
          }
          return events;
        });
        // interleaved at random between conversations, each conversation's kept in order
        const queues = perConversation.map((events) => [...events]);
        const published: CloudEvent[] = [];
        while (queues.some((q) => q.length > 0)) {
          const open = queues.filter((q) => q.length > 0);
          published.push(open[Math.floor(next() * open.length)]!.shift()!);
        }

        // and the control business gets a copy of each message, published right after it
        const controlEvents = new Map<string, CloudEvent>();
        const toPublish = published.flatMap((event) => {
          if (event.topic !== 'messages') return [event];
          const copy = cloudEvent({
            businessid: controlBusinessId,
            subject: event.subject,
            time: event.time,
          });
          controlEvents.set(copy.id, copy);
          return [event, copy];
        });

        // when the first half is published, the service restarts, and the rest is published
        const half = Math.ceil(toPublish.length / 2);
        for (let i = 0; i < half; i += 10) await bed.publishEvents(...toPublish.slice(i, i + 10));
        await restart();
        for (let i = half; i < toPublish.length; i += 10) {
          await bed.publishEvents(...toPublish.slice(i, i + 10));
        }
        const count = (topic: string) => published.filter((e) => e.topic === topic).length;
        await settled(
          [messagesSub, count('messages')],
          [statusSub, count('delivery_status')],
          [controlSub, controlEvents.size],
        );

        // then the unordered control received every message too, each delivery succeeded, and
        // nothing was stored for ordering: with ordering off, delivery is as it was
        const controlIds = receiver.received(controlSub.path).map(idOf);
        expect(new Set(controlIds)).toEqual(new Set(controlEvents.keys()));
        const controlRows = await bed.query<{ state: string; ordering_key: string | null }>(
          `SELECT state, ordering_key FROM delivery.deliveries WHERE subscription_id = $1`,
          [controlSub.id],
        );
        expect(controlRows.filter((r) => r.state !== 'succeeded')).toEqual([]);
        expect(controlRows.filter((r) => r.ordering_key !== null)).toEqual([]);

        // and every message of a conversation arrived at the ordered one, in event-time order,
        // none missing
        const bySubject = (requests: ReceivedRequest[]) => {
          const map = new Map<string, ReceivedRequest[]>();
          for (const request of requests) {
            const subject = (JSON.parse(request.body) as { subject: string }).subject;
            map.set(subject, [...(map.get(subject) ?? []), request]);
          }
          return map;
        };
        const allSuppressed = new Set<string>();
        const messagesBy = bySubject(receiver.received(messagesSub.path));
        const statusesBy = bySubject(receiver.received(statusSub.path));
        for (const events of perConversation) {
          const subject = events[0]?.subject;
          if (!subject) continue;
          const messages = events.filter((e) => e.topic === 'messages').map((e) => e.id);
          expect(sequence(messagesBy.get(subject) ?? [])).toEqual(messages);

          // and its statuses arrived in event-time order, each wamid's never going back: those
          // earlier than one delivered were suppressed, and only those
          const furthest = new Map<string, number>();
          const expectedSent: string[] = [];
          const expectedSuppressed = new Set<string>();
          for (const event of events.filter((e) => e.topic === 'delivery_status')) {
            const data = event.data as { messageId: string; status: string };
            const rank = statusRankOf(data.status)!;
            if (rank < (furthest.get(data.messageId) ?? 0)) {
              expectedSuppressed.add(event.id);
            } else {
              furthest.set(data.messageId, rank);
              expectedSent.push(event.id);
            }
          }
          expect(sequence(statusesBy.get(subject) ?? [])).toEqual(expectedSent);
          const rows = await bed.query<{ event_id: string; state: string; last_error: string }>(
            `SELECT event_id, state, last_error FROM delivery.deliveries
             WHERE subscription_id = $1 AND ordering_key = $2`,
            [statusSub.id, subject],
          );
          const suppressed = rows.filter((r) => r.state === 'suppressed');
          for (const id of expectedSuppressed) allSuppressed.add(id);
          expect(new Set(suppressed.map((r) => r.event_id))).toEqual(expectedSuppressed);
          expect(suppressed.every((r) => r.last_error.startsWith('Suppressed: status'))).toBe(true);
          expect(rows.filter((r) => r.state !== 'suppressed').map((r) => r.state)).toEqual(
            expectedSent.map(() => 'succeeded'),
          );
        }
        // and each suppression is published as an attempt (the delivery log's), with its reason
        await eventually(
          () => {
            const logged = bed
              .attemptsOf(statusSub.id)
              .filter((a) => a.outcome === 'suppressed' && a.error?.startsWith('Suppressed'));
            return logged.length >= allSuppressed.size ? logged : undefined;
          },
          { what: 'suppressed statuses published as attempts' },
        ).then((logged) => {
          expect(new Set(logged.map((a) => a.eventId))).toEqual(allSuppressed);
          expect(logged.every((a) => a.statusCode === null && a.latencyMs === 0)).toBe(true);
        });
      }),
      { numRuns: 3, endOnFailure: true },
    );
  });

  it('dead-letters a conversation blocked past the limit as a unit, while other conversations of the endpoint flow', async () => {
    // given an ordered subscription retrying every second for 30 s, whose endpoint always fails
    // one conversation
    const businessId = uniqueName('biz');
    const sub = subscription(businessId, 'messages', {
      ordering: 'conversation',
      retry: { schedule: Array.from({ length: 30 }, () => 10) },
    });
    await bed.applySubscriptions(app!, sub);
    const blocked = '106540352242922:16505550001';
    const flowing = '106540352242922:16505550002';
    receiver.respond(sub.path, (request) =>
      (JSON.parse(request.body) as { subject: string }).subject === blocked
        ? { status: 500 }
        : { status: 200 },
    );

    // when three events of each conversation are published
    const at = (s: number) => new Date(Date.parse('2026-03-01T10:00:00Z') + s * 1000).toISOString();
    const stuck = [1, 2, 3].map((s) =>
      cloudEvent({ businessid: businessId, subject: blocked, time: at(s) }),
    );
    const free = [1, 2, 3].map((s) =>
      cloudEvent({ businessid: businessId, subject: flowing, time: at(s) }),
    );
    await bed.publishEvents(stuck[0]!, free[0]!, stuck[1]!, free[1]!, stuck[2]!, free[2]!);

    // then the other conversation is delivered in order while the first one's head retries
    await eventually(
      () => {
        const got = receiver
          .received(sub.path)
          .filter((r) => (JSON.parse(r.body) as { subject: string }).subject === flowing);
        return got.length >= 3 ? got : undefined;
      },
      { what: 'the flowing conversation delivered' },
    );
    expect(
      sequence(
        receiver
          .received(sub.path)
          .filter((r) => (JSON.parse(r.body) as { subject: string }).subject === flowing),
      ),
    ).toEqual(free.map((e) => e.id));
    // and only the blocked conversation's head was ever sent, again and again
    const sentBlocked = () =>
      receiver
        .received(sub.path)
        .filter((r) => (JSON.parse(r.body) as { subject: string }).subject === blocked);
    expect(new Set(sentBlocked().map(idOf))).toEqual(new Set([stuck[0]!.id]));

    // and once blocked past the limit, the whole conversation is dead-lettered with a reason
    await settled(sub);
    const rows = await bed.query<{ event_id: string; state: string; last_error: string }>(
      `SELECT event_id, state, last_error FROM delivery.deliveries
       WHERE subscription_id = $1 AND ordering_key = $2 ORDER BY event_time`,
      [sub.id, blocked],
    );
    expect(rows.map((r) => [r.event_id, r.state])).toEqual(
      stuck.map((e) => [e.id, 'dead_lettered']),
    );
    expect(rows.every((r) => r.last_error.includes('ORDERING_BLOCK_MAX_SECONDS'))).toBe(true);
    expect(new Set(sentBlocked().map(idOf))).toEqual(new Set([stuck[0]!.id]));
    // and every one of them has a dead-lettered attempt in the log, those never sent without a
    // status code
    const attempts = await eventually(
      () => {
        const dead = bed.attemptsOf(sub.id).filter((a) => a.outcome === 'dead_lettered');
        return dead.length >= 3 ? dead : undefined;
      },
      { what: 'dead-lettered attempts published' },
    );
    expect(new Set(attempts.map((a) => a.eventId))).toEqual(new Set(stuck.map((e) => e.id)));
    expect(
      attempts
        .filter((a) => a.eventId !== stuck[0]!.id)
        .map((a) => [a.deliveryId, a.statusCode, a.attempt]),
    ).toEqual(
      expect.arrayContaining(stuck.slice(1).map((e) => [deliveryIdOf(sub.id, e.id), null, 1])),
    );

    // when the subscription's dead letters are recovered and the endpoint works again
    receiver.respond(sub.path, () => ({ status: 200 }));
    await bed.publishCommand({
      type: 'recover',
      id: randomUUID(),
      businessId,
      issuedAt: new Date().toISOString(),
      subscriptionId: sub.id,
      topic: 'messages',
      since: new Date(Date.now() - 600_000).toISOString(),
    });

    // then the conversation is delivered again, in order (its head repeated, then the rest)
    await eventually(
      async () => {
        const states = await bed.query<{ state: string }>(
          `SELECT state FROM delivery.deliveries WHERE subscription_id = $1 AND ordering_key = $2`,
          [sub.id, blocked],
        );
        return states.every((r) => r.state === 'succeeded') ? true : undefined;
      },
      { what: 'the recovered conversation delivered' },
    );
    expect(sequence(sentBlocked())).toEqual(stuck.map((e) => e.id));
  });

  it('keeps an unordered subscription as it was: nothing stored for ordering', async () => {
    // given an unordered subscription
    const businessId = uniqueName('biz');
    const sub = subscription(businessId, 'messages', {});
    await bed.applySubscriptions(app!, sub);

    // when events of one conversation are published
    const events = [1, 2, 3].map(() => cloudEvent({ businessid: businessId }));
    await bed.publishEvents(...events);
    await receiver.waitFor(sub.path, 3);
    await settled(sub);

    // then each was delivered, and no delivery carries a conversation or a head
    const rows = await bed.query<{ ordering_key: string | null; head_since: Date | null }>(
      `SELECT ordering_key, head_since FROM delivery.deliveries WHERE subscription_id = $1`,
      [sub.id],
    );
    expect(rows).toEqual(events.map(() => ({ ordering_key: null, head_since: null })));
  });
});
