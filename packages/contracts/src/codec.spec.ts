import { ContractViolation, decode, decodeConfig, encode, encodeMessage } from './codec';
import { type ConfigRecord, configKey } from './config-records';
import { examples } from './examples';
import {
  ConfigTopic,
  DeliveryAttemptsTopic,
  DeliveryCommandsTopic,
  InboundRawTopic,
  PublicTopics,
  SubscriptionEventsTopic,
} from './topics';

describe(encode.name, () => {
  it('round-trips a valid value through decode', () => {
    // when
    const bytes = encode(InboundRawTopic, examples.RawInboundEnvelope);
    const decoded = decode(InboundRawTopic, bytes);

    // then
    expect(decoded).toEqual({ ok: true, value: examples.RawInboundEnvelope });
  });

  it('writes the parsed form: defaults filled in', () => {
    // given
    const subscription = {
      ...examples.SubscriptionRecord,
      configuration: { channelTypes: ['whatsapp'] },
    };

    // when
    const written: unknown = JSON.parse(encode(ConfigTopic, subscription).toString('utf8'));

    // then
    expect(written).toMatchObject({
      configuration: { echo: false, channelTypes: ['whatsapp'], filters: [] },
    });
  });

  it('refuses an invalid value with a typed, non-retryable error naming topic and issues', () => {
    // given
    const invalid = { ...examples.SubscriptionHealthEvent, consecutiveFailures: -3 };

    // when
    const thrown = captureError(() => encode(SubscriptionEventsTopic, invalid));

    // then
    expect(thrown).toBeInstanceOf(ContractViolation);
    const violation = thrown as ContractViolation;
    expect(violation.code).toBe('contract_violation');
    expect(violation.retryable).toBe(false);
    expect(violation.topic).toBe('switchboard.subscriptions.events.v1');
    expect(violation.issues).toEqual([
      expect.objectContaining({ path: ['consecutiveFailures'], code: 'too_small' }),
    ]);
    expect(violation.message).toContain('consecutiveFailures');
  });

  it('keeps unknown CloudEvent attributes so extensions reach consumers', () => {
    // given
    const event = { ...examples.CloudEvent, traceparent: '00-abc-def-01' };

    // when
    const decoded = decode(PublicTopics.messages, encode(PublicTopics.messages, event));

    // then
    expect(decoded.ok && decoded.value.traceparent).toBe('00-abc-def-01');
  });
});

describe(encodeMessage.name, () => {
  it('derives the record key from the value', () => {
    // when
    const message = encodeMessage(DeliveryCommandsTopic, examples.TestDeliveryCommand);

    // then
    expect(message.key).toBe('biz_acme');
    expect(decode(DeliveryCommandsTopic, message.value)).toEqual({
      ok: true,
      value: examples.TestDeliveryCommand,
    });
  });

  it('takes an explicit key over the derived one', () => {
    expect(encodeMessage(InboundRawTopic, examples.RawInboundEnvelope, 'k').key).toBe('k');
  });

  it('refuses an invalid value', () => {
    // given
    const invalid = { ...examples.RetryDeliveryCommand, deliveryId: '' };

    // then
    expect(() => encodeMessage(DeliveryCommandsTopic, invalid)).toThrow(ContractViolation);
  });
});

describe(decode.name, () => {
  it.each([
    ['garbage bytes', Buffer.from([0xde, 0xad, 0xbe, 0xef])],
    ['truncated JSON', Buffer.from('{"id":"0f8fad5b')],
    ['an empty value', Buffer.alloc(0)],
    ['a null value', null],
  ])('reports malformed_json for %s without throwing', (_label, bytes) => {
    // when
    const result = decode(InboundRawTopic, bytes);

    // then
    expect(result).toMatchObject({ ok: false, reason: 'malformed_json', issues: [] });
  });

  it('reports schema_violation with the paths of the wrong fields', () => {
    // given
    const wrong = { ...examples.RawInboundEnvelope, receivedAt: 'yesterday', headers: { A: 1 } };

    // when
    const result = decode(InboundRawTopic, Buffer.from(JSON.stringify(wrong)));

    // then
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('schema_violation');
    expect(result.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([['receivedAt'], ['headers', 'A']]),
    );
  });

  it('reports schema_violation for JSON that is not an object', () => {
    expect(decode(InboundRawTopic, '[1,2,3]')).toMatchObject({
      ok: false,
      reason: 'schema_violation',
      issues: [expect.objectContaining({ path: [] })],
    });
  });

  it('types the value by topic: non-null on delete topics, nullable on the compacted one', () => {
    // when
    const raw = decode(InboundRawTopic, encode(InboundRawTopic, examples.RawInboundEnvelope));
    const config = decode(ConfigTopic, null);

    // then
    const rawId: string | undefined = raw.ok ? raw.value.id : undefined;
    const record: ConfigRecord | null | undefined = config.ok ? config.value : undefined;
    expect(rawId).toBe(examples.RawInboundEnvelope.id);
    expect(record).toBeNull();
  });

  it('decodes a tombstone on the compacted config topic to null', () => {
    expect(decode(ConfigTopic, null)).toEqual({ ok: true, value: null });
    expect(decode(ConfigTopic, Buffer.alloc(0))).toEqual({ ok: true, value: null });
  });

  it('accepts a string value and a byte view into a larger buffer', () => {
    // given
    const json = JSON.stringify(examples.DeliveryAttempt);
    const view = Buffer.from(`xx${json}yy`).subarray(2, 2 + json.length);

    // when
    const fromView = decode(DeliveryAttemptsTopic, view);
    const fromString = decode(DeliveryAttemptsTopic, json);

    // then
    expect(fromView).toEqual({ ok: true, value: examples.DeliveryAttempt });
    expect(fromString).toEqual(fromView);
  });
});

describe(decodeConfig.name, () => {
  it('decodes a record whose key names it', () => {
    // given
    const key = configKey(examples.SourceRecord);

    // when
    const result = decodeConfig(key, encode(ConfigTopic, examples.SourceRecord));

    // then
    expect(result).toEqual({
      ok: true,
      key: { kind: 'source', id: 'src_meta_acme' },
      record: examples.SourceRecord,
    });
  });

  it('decodes a null value as the deletion of what the key names', () => {
    // when
    const result = decodeConfig(Buffer.from('subscription:biz_acme:templates'), null);

    // then
    expect(result).toEqual({
      ok: true,
      key: { kind: 'subscription', businessId: 'biz_acme', topic: 'templates' },
      record: null,
    });
  });

  it('refuses a key that is not a config key', () => {
    expect(decodeConfig('biz_acme', null)).toMatchObject({ ok: false, reason: 'invalid_key' });
    expect(decodeConfig(null, null)).toMatchObject({ ok: false, reason: 'invalid_key' });
  });

  it('refuses a record under another record’s key', () => {
    // when
    const result = decodeConfig(
      'subscription:biz_acme:templates',
      encode(ConfigTopic, examples.SubscriptionRecord),
    );

    // then
    expect(result).toMatchObject({ ok: false, reason: 'key_mismatch' });
  });

  it('passes decode failures through', () => {
    expect(decodeConfig('source:src_meta_acme', Buffer.from('{'))).toMatchObject({
      ok: false,
      reason: 'malformed_json',
    });
    expect(decodeConfig('source:src_meta_acme', Buffer.from('{"kind":"source"}'))).toMatchObject({
      ok: false,
      reason: 'schema_violation',
    });
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('Expected an error');
}
