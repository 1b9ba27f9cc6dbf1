import { Logger } from '@nestjs/common';
import { AppError } from '@switchboard/service-kit';
import { readFixture } from '@switchboard/fixtures';
import {
  type BatchingProducer,
  type ProducerMessage,
  ProducerOverloadedError,
  TopicNames,
  TopicPublisher,
} from '@switchboard/kafka';
import { InboundRawBulkTopic, InboundRawTopic, type SourceRecord } from '@switchboard/contracts';
import { Registry } from 'prom-client';
import { metaHeaders, secretOf, source } from '../../test/signing';
import { IngressConfig } from '../config/ingress.config';
import { SourceRegistry } from '../sources/source-registry';
import { IngestService, type ReceivedWebhook, sharedEndpointProvider } from './ingest.service';
import { IngressMetrics } from './ingress.metrics';
import { testDataKeys } from '@switchboard/testing';

/** A producer port whose sends are acknowledged or failed by the test, one by one. */
class ControlledProducer {
  readonly sent: {
    topic: string;
    message: ProducerMessage;
    ack: () => void;
    fail: (err: Error) => void;
  }[] = [];
  refuseWith: Error | undefined;

  send(topic: string, message: ProducerMessage): Promise<void> {
    if (this.refuseWith) return Promise.reject(this.refuseWith);
    return new Promise((ack, fail) => this.sent.push({ topic, message, ack: () => ack(), fail }));
  }
}

/** What a store ended with: the raw id, or the status and code it is answered with. */
type Outcome = { id: string } | { status: number; code: string; retryAfter?: string };

function outcomeOf(stored: Promise<string>): Promise<Outcome> {
  return stored.then(
    (id) => ({ id }),
    (err: unknown) => {
      if (!(err instanceof AppError)) return { status: 500, code: 'internal_error' };
      return { status: err.httpStatus, code: err.code, retryAfter: err.headers['retry-after'] };
    },
  );
}

/** Lets promise callbacks run. */
const flush = () =>
  new Promise<void>((resolve) => jest.requireActual('timers').setImmediate(resolve));

describe(IngestService.name, () => {
  const body = readFixture('meta/text-message.json');

  function setUp(env: Record<string, string> = {}) {
    const producer = new ControlledProducer();
    const sources = new SourceRegistry();
    sources.markLoaded();
    const config = IngressConfig.parse({
      DATA_KEYS: testDataKeys(),
      RETRY_AFTER_SECONDS: '7',
      ...env,
    });
    const ingest = new IngestService(
      sources,
      new TopicPublisher(producer as unknown as BatchingProducer, new TopicNames('test.')),
      new IngressMetrics(new Registry()),
      config,
    );
    return { producer, sources, ingest };
  }

  function store(ingest: IngestService, meta: SourceRecord): Promise<Outcome> {
    const webhook: ReceivedWebhook = {
      headers: metaHeaders(secretOf(meta), body),
      query: {},
      body,
      contentType: 'application/json',
      receivedAt: new Date(),
    };
    return outcomeOf(ingest.store('meta', ingest.verify('meta', meta.id, webhook), webhook));
  }

  // A refused envelope is logged; the test asserts the answer instead.
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.useRealTimers());

  it('answers with the raw id when Kafka acknowledges long after KAFKA_ACK_TIMEOUT_MS', async () => {
    // given a webhook handed to Kafka, with 100 ms for the brokers to acknowledge
    jest.useFakeTimers();
    const { producer, sources, ingest } = setUp({ KAFKA_ACK_TIMEOUT_MS: '100' });
    const meta = source({ provider: 'meta' });
    sources.upsert(meta);
    const outcome = store(ingest, meta);

    // when the acknowledgement comes 10 s later
    await jest.advanceTimersByTimeAsync(10_000);
    producer.sent[0]!.ack();

    // then the webhook is answered as stored, not refused
    expect(await outcome).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('answers 504 for a write Kafka failed, then 503 without sending while a probe is out', async () => {
    // given a write Kafka fails
    const { producer, sources, ingest } = setUp();
    const meta = source({ provider: 'meta' });
    sources.upsert(meta);
    const failed = store(ingest, meta);
    await flush();
    producer.sent[0]!.fail(new Error('Kafka did not acknowledge 1 message(s): timed out'));

    // then that webhook may or may not be stored: 504, to be retried
    expect(await failed).toEqual({ status: 504, code: 'storage_unconfirmed', retryAfter: '7' });

    // when two more webhooks come while Kafka is still failing
    const probe = store(ingest, meta);
    const refused = await store(ingest, meta);

    // then one goes to Kafka as a probe, and the other is refused without being sent: 503
    expect(producer.sent).toHaveLength(2);
    expect(refused).toEqual({ status: 503, code: 'storage_unavailable', retryAfter: '7' });

    // and once the probe is acknowledged, webhooks go to Kafka again
    producer.sent[1]!.ack();
    expect(await probe).toEqual({ id: expect.any(String) });
    const next = store(ingest, meta);
    await flush();
    producer.sent[2]!.ack();
    expect(await next).toEqual({ id: expect.any(String) });
  });

  it('answers 503 when the producer refuses the webhook before queueing it', async () => {
    // given a producer whose queue is full
    const { producer, sources, ingest } = setUp();
    const meta = source({ provider: 'meta' });
    sources.upsert(meta);
    producer.refuseWith = new ProducerOverloadedError('Producer queue is full (50000 messages)');

    // when a webhook comes
    const outcome = await store(ingest, meta);

    // then it is surely not stored: 503
    expect(outcome).toEqual({ status: 503, code: 'storage_unavailable', retryAfter: '7' });
  });

  it('answers 503, not 500, when the raw envelope is refused by its schema, sending nothing', async () => {
    // given a source whose business id the raw topic's schema refuses
    const { producer, sources, ingest } = setUp();
    const odd = source({ provider: 'meta', businessId: '' });
    sources.upsert(odd);

    // when a verified webhook of it is stored
    const outcome = await store(ingest, odd);

    // then it is not stored and the provider is asked to retry
    expect(outcome).toEqual({ status: 503, code: 'storage_unavailable', retryAfter: '7' });
    expect(producer.sent).toHaveLength(0);
  });

  it('writes a body over BULK_WEBHOOK_BYTES to the bulk raw topic, and the others to the raw topic', async () => {
    // given ingresses whose bulk size is one byte under the body, the body's size, and 0 (off)
    const topics: string[] = [];
    for (const bulk of [body.length - 1, body.length, 0]) {
      const { producer, sources, ingest } = setUp({ BULK_WEBHOOK_BYTES: String(bulk) });
      const meta = source({ provider: 'meta' });
      sources.upsert(meta);

      // when the same signed webhook is stored by each
      void store(ingest, meta);
      await flush();
      topics.push(producer.sent[0]!.topic);
    }

    // then only the body over the bulk size went to the bulk raw topic
    expect(topics).toEqual([
      `test.${InboundRawBulkTopic.name}`,
      `test.${InboundRawTopic.name}`,
      `test.${InboundRawTopic.name}`,
    ]);
  });

  it('never stores the header a token source takes its token in, even one kept for others', async () => {
    // given a source verified by a token in x-request-id, a header kept with other webhooks
    const { producer, sources, ingest } = setUp();
    const tokenSource = source({
      provider: 'standard',
      verification: { kind: 'token', header: 'x-request-id' },
    });
    sources.upsert(tokenSource);
    const webhook: ReceivedWebhook = {
      headers: { 'content-type': 'application/json', 'x-request-id': secretOf(tokenSource) },
      query: {},
      body,
      contentType: 'application/json',
      receivedAt: new Date(),
    };

    // when it is verified and stored
    void ingest.store('standard', ingest.verify('standard', tokenSource.id, webhook), webhook);

    // then the stored envelope has the content type but not the token's header
    const stored = producer.sent[0]!.message.value!.toString();
    expect(stored).toContain('"content-type":"application/json"');
    expect(stored).not.toContain(secretOf(tokenSource));
  });

  describe(sharedEndpointProvider.name, () => {
    it.each([
      ['cunnekt/sandbox-text-message.json', 'meta'],
      ['cunnekt/production-status-delivered.json', 'meta'],
      ['cunnekt/platform-conversation-assigned.json', 'standard'],
      ['standard/campaign-started.json', 'standard'],
    ])('reads %s with the %s mapper', (fixture, provider) => {
      expect(sharedEndpointProvider(readFixture(fixture))).toBe(provider);
    });

    it.each([
      ['a body that is not JSON', '{"object":"whatsapp_business_account","entry":[{'],
      ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ])('leaves %s to the meta mapper, which dead-letters it', (_case, body) => {
      expect(sharedEndpointProvider(Buffer.from(body))).toBe('meta');
    });

    it('takes JSON that is not an object, or another object, as a platform event', () => {
      for (const body of ['[]', 'null', '"x"', '{"object":"page"}']) {
        expect(sharedEndpointProvider(Buffer.from(body))).toBe('standard');
      }
    });
  });

  describe('content types', () => {
    function verify(
      ingest: IngestService,
      meta: SourceRecord,
      contentType: string,
      payload: Buffer,
      secret = secretOf(meta),
    ): { ok: true } | { status: number; code: string } {
      const webhook: ReceivedWebhook = {
        headers: { ...metaHeaders(secret, payload), 'content-type': contentType },
        query: {},
        body: payload,
        contentType,
        receivedAt: new Date(),
      };
      try {
        ingest.verify('meta', meta.id, webhook);
        return { ok: true };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return { status: err.httpStatus, code: err.code };
      }
    }

    it.each([
      'application/json',
      'application/json; charset=utf-8',
      'text/json',
      'application/vnd.api+json',
      'application/octet-stream',
      'text/plain',
      '',
    ])('takes a signed JSON body sent as %p', (contentType) => {
      // given a Meta source and a signed Meta webhook labelled with this content type
      const { sources, ingest } = setUp();
      const meta = source({ provider: 'meta' });
      sources.upsert(meta);

      // when it is verified, then it passes
      expect(verify(ingest, meta, contentType, body)).toEqual({ ok: true });
    });

    it('checks the signature before the content type, and refuses a verified body that is not JSON with 415', () => {
      // given a Meta source and an XML body sent as application/octet-stream
      const { sources, ingest } = setUp();
      const meta = source({ provider: 'meta' });
      sources.upsert(meta);
      const xml = Buffer.from('<message>hello</message>');

      // when it is signed wrongly, then the signature is what is refused
      expect(verify(ingest, meta, 'application/octet-stream', xml, 'not-the-secret')).toEqual({
        status: 401,
        code: 'signature_invalid',
      });
      // and when it is signed rightly, then it is refused for not being JSON
      expect(verify(ingest, meta, 'application/octet-stream', xml)).toEqual({
        status: 415,
        code: 'unsupported_media_type',
      });
    });

    it('keeps storing a signed body declared as JSON or text even when it does not parse', () => {
      const { sources, ingest } = setUp();
      const meta = source({ provider: 'meta' });
      sources.upsert(meta);
      const broken = Buffer.from('{"object":"whatsapp_business_account","entry":[{');

      for (const contentType of ['application/json', 'text/json', 'text/plain', '']) {
        expect(verify(ingest, meta, contentType, broken)).toEqual({ ok: true });
      }
      expect(verify(ingest, meta, 'application/octet-stream', broken)).toEqual({
        status: 415,
        code: 'unsupported_media_type',
      });
    });
  });
});
