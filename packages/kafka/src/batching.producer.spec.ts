import { Logger } from '@nestjs/common';
import type { Kafka, ProducerBatch, ProducerConfig, RecordMetadata } from 'kafkajs';
import { BatchingProducer, type ProducerMessage } from './batching.producer';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The kafkajs producer at the port: records what reaches the broker, in order, and answers each
 * produce request only when the test says so (or at once, with `autoAck`).
 */
class FakeProducer {
  readonly events: string[] = [];
  readonly requests: ProducerBatch[] = [];
  private readonly answers: Deferred<RecordMetadata[]>[] = [];
  autoAck = false;

  connect = async (): Promise<void> => {
    this.events.push('connect');
  };

  disconnect = async (): Promise<void> => {
    this.events.push('disconnect');
  };

  sendBatch = (batch: ProducerBatch): Promise<RecordMetadata[]> => {
    this.events.push('sendBatch');
    this.requests.push(batch);
    if (this.autoAck) return Promise.resolve([]);
    const answer = deferred<RecordMetadata[]>();
    this.answers.push(answer);
    return answer.promise;
  };

  /** Acknowledges the oldest unanswered produce request. */
  acknowledge(): void {
    this.next().resolve([]);
  }

  /** Fails the oldest unanswered produce request. */
  fail(err: Error): void {
    this.next().reject(err);
  }

  private next(): Deferred<RecordMetadata[]> {
    const answer = this.answers.shift();
    if (!answer) throw new Error('no produce request is waiting for an answer');
    return answer;
  }
}

function fakeKafka() {
  const producer = new FakeProducer();
  const configs: (ProducerConfig | undefined)[] = [];
  const kafka = {
    producer: (config?: ProducerConfig) => {
      configs.push(config);
      return producer;
    },
  } as unknown as Kafka;
  return { kafka, producer, configs };
}

/** Lets the producer's scheduled flush (setImmediate) and any settled promises run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Records how each send settled, without leaving rejections unhandled. */
function track(send: Promise<void>) {
  const outcome: { state: 'pending' | 'resolved' | 'rejected'; error?: Error & { code?: string } } =
    { state: 'pending' };
  const settled = send.then(
    () => {
      outcome.state = 'resolved';
    },
    (err: Error) => {
      outcome.state = 'rejected';
      outcome.error = err;
    },
  );
  return Object.assign(outcome, { settled });
}

const message = (n: number): ProducerMessage => ({ key: `k${n}`, value: `{"n":${n}}` });

const messageCount = (batch: ProducerBatch | undefined) =>
  (batch?.topicMessages ?? []).reduce((sum, t) => sum + t.messages.length, 0);

describe(BatchingProducer.name, () => {
  beforeEach(() => {
    // Failed produce requests are logged; keep the test output quiet.
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('creates an idempotent kafkajs producer with one request in flight', () => {
    // given a Kafka client
    const { kafka, configs } = fakeKafka();

    // when a batching producer is built on it
    new BatchingProducer(kafka);

    // then the underlying producer is idempotent and keeps requests in order
    expect(configs).toEqual([
      expect.objectContaining({ idempotent: true, maxInFlightRequests: 1 }),
    ]);
  });

  it('sends concurrent sends made in the same tick as one produce request, with acks from all replicas', async () => {
    // given a connected producer
    const { kafka, producer } = fakeKafka();
    const batching = new BatchingProducer(kafka, { ackTimeoutMs: 5_000 });
    await batching.connect();

    // when 100 sends are made at once, to two topics
    const sends = Array.from({ length: 100 }, (_, i) =>
      track(batching.send(i % 2 === 0 ? 'even' : 'odd', message(i))),
    );
    await nextTurn();

    // then exactly one produce request holds them all, grouped by topic, with acks=-1
    expect(producer.requests).toHaveLength(1);
    const request = producer.requests[0]!;
    expect(request.acks).toBe(-1);
    expect(request.timeout).toBe(5_000);
    expect(request.topicMessages?.map((t) => [t.topic, t.messages.length])).toEqual([
      ['even', 50],
      ['odd', 50],
    ]);
    expect(request.topicMessages?.[1]?.messages[0]).toEqual({ key: 'k1', value: '{"n":1}' });

    // and no send resolves before the broker acknowledges
    expect(sends.every((s) => s.state === 'pending')).toBe(true);
    producer.acknowledge();
    await Promise.all(sends.map((s) => s.settled));
    expect(sends.every((s) => s.state === 'resolved')).toBe(true);
    expect(batching.stats).toEqual({ requests: 1, acknowledgedMessages: 100, queuedMessages: 0 });
  });

  it('gathers sends made while a request is in flight into the next single request', async () => {
    // given a request of 3 messages in flight
    const { kafka, producer } = fakeKafka();
    const batching = new BatchingProducer(kafka);
    await batching.connect();
    const first = [1, 2, 3].map((n) => track(batching.send('t', message(n))));
    await nextTurn();
    expect(producer.requests).toHaveLength(1);

    // when 5 more sends arrive, spread over several turns, before it is acknowledged
    const second = [];
    for (let n = 4; n <= 8; n++) {
      second.push(track(batching.send('t', message(n))));
      await nextTurn();
    }

    // then nothing more is sent while the first request is unanswered
    expect(producer.requests).toHaveLength(1);

    // when the first request is acknowledged
    producer.acknowledge();
    await Promise.all(first.map((s) => s.settled));
    await nextTurn();

    // then the 5 waiting messages go out together in one request
    expect(first.every((s) => s.state === 'resolved')).toBe(true);
    expect(producer.requests).toHaveLength(2);
    expect(messageCount(producer.requests[1])).toBe(5);
    expect(second.every((s) => s.state === 'pending')).toBe(true);

    producer.acknowledge();
    await Promise.all(second.map((s) => s.settled));
    expect(second.every((s) => s.state === 'resolved')).toBe(true);
  });

  it('splits the queue into requests of at most maxBatchMessages', async () => {
    // given a producer that takes at most 2 messages per request, and a broker that answers at once
    const { kafka, producer } = fakeKafka();
    producer.autoAck = true;
    const batching = new BatchingProducer(kafka, { maxBatchMessages: 2 });
    await batching.connect();

    // when 5 messages are sent at once
    await Promise.all([1, 2, 3, 4, 5].map((n) => batching.send('t', message(n))));

    // then they went out as 2 + 2 + 1, in the order they were sent
    expect(producer.requests.map(messageCount)).toEqual([2, 2, 1]);
    expect(
      producer.requests.flatMap((r) => r.topicMessages![0]!.messages.map((m) => m.key)),
    ).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
  });

  it('splits the queue into requests of at most maxBatchBytes, but never sends an empty one', async () => {
    // given a 10-byte request limit
    const { kafka, producer } = fakeKafka();
    producer.autoAck = true;
    const batching = new BatchingProducer(kafka, { maxBatchBytes: 10 });
    await batching.connect();

    // when two 6-byte messages and one 20-byte message are sent
    await Promise.all([
      batching.send('t', { key: null, value: 'aaaaaa' }),
      batching.send('t', { key: null, value: 'bbbbbb' }),
      batching.send('t', { key: null, value: Buffer.alloc(20) }),
    ]);

    // then each went alone, the oversized one included
    expect(producer.requests.map(messageCount)).toEqual([1, 1, 1]);
  });

  it('rejects every send of a failed request with produce_failed, and later sends still work', async () => {
    // given 3 sends in one request
    const { kafka, producer } = fakeKafka();
    const batching = new BatchingProducer(kafka);
    await batching.connect();
    const failed = [1, 2, 3].map((n) => track(batching.send('t', message(n))));
    await nextTurn();

    // when the broker fails that request
    producer.fail(new Error('NOT_ENOUGH_REPLICAS'));
    await Promise.all(failed.map((s) => s.settled));

    // then each of them rejects with a retryable produce_failed carrying the cause
    for (const send of failed) {
      expect(send.state).toBe('rejected');
      expect(send.error).toMatchObject({ code: 'produce_failed', retryable: true });
      expect(send.error?.message).toContain('NOT_ENOUGH_REPLICAS');
    }

    // and a later send goes out in a new request and resolves when acknowledged
    const later = track(batching.send('t', message(4)));
    await nextTurn();
    expect(producer.requests).toHaveLength(2);
    producer.acknowledge();
    await later.settled;
    expect(later.state).toBe('resolved');
    expect(batching.stats.acknowledgedMessages).toBe(1);
  });

  it('refuses sends beyond maxQueuedMessages with producer_overloaded', async () => {
    // given a queue that holds 2 messages
    const { kafka, producer } = fakeKafka();
    const batching = new BatchingProducer(kafka, { maxQueuedMessages: 2 });
    await batching.connect();

    // when 3 sends are made before the queue drains
    const accepted = [1, 2].map((n) => track(batching.send('t', message(n))));
    const refused = track(batching.send('t', message(3)));
    await refused.settled;

    // then the third is refused at once as a retryable overload
    expect(refused.state).toBe('rejected');
    expect(refused.error).toMatchObject({ code: 'producer_overloaded', retryable: true });

    // and the two it accepted are sent and acknowledged, without the refused one
    await nextTurn();
    expect(producer.requests.map(messageCount)).toEqual([2]);
    producer.acknowledge();
    await Promise.all(accepted.map((s) => s.settled));
    expect(accepted.every((s) => s.state === 'resolved')).toBe(true);
  });

  it('flushes what is queued before disconnecting', async () => {
    // given 3 sends queued but not yet sent
    const { kafka, producer } = fakeKafka();
    const batching = new BatchingProducer(kafka);
    await batching.connect();
    const sends = [1, 2, 3].map((n) => track(batching.send('t', message(n))));

    // when the producer disconnects
    let disconnected = false;
    const disconnecting = batching.disconnect().then(() => {
      disconnected = true;
    });
    await nextTurn();

    // then the queue is sent first, and the disconnect waits for its acknowledgement
    expect(producer.events).toEqual(['connect', 'sendBatch']);
    expect(messageCount(producer.requests[0])).toBe(3);
    expect(disconnected).toBe(false);

    // when the broker acknowledges
    producer.acknowledge();
    await disconnecting;

    // then every send resolved and only then did the client disconnect
    expect(sends.every((s) => s.state === 'resolved')).toBe(true);
    expect(producer.events).toEqual(['connect', 'sendBatch', 'disconnect']);
  });

  it('refuses sends once it is shutting down', async () => {
    const { kafka } = fakeKafka();
    const batching = new BatchingProducer(kafka);
    await batching.connect();
    await batching.disconnect();

    const late = track(batching.send('t', message(1)));
    await late.settled;

    expect(late.state).toBe('rejected');
    expect(late.error?.code).toBe('produce_failed');
  });

  it('rejects sends made before connect instead of producing on a closed client', async () => {
    // given a producer that was never connected
    const { kafka, producer } = fakeKafka();
    const batching = new BatchingProducer(kafka);

    // when a message is sent
    const send = track(batching.send('t', message(1)));
    await send.settled;

    // then it fails as produce_failed and nothing reached the client
    expect(send.state).toBe('rejected');
    expect(send.error?.code).toBe('produce_failed');
    expect(producer.requests).toHaveLength(0);
  });
});
