import { ConfigurationError, loadConfig } from '@switchboard/service-kit';
import { testDataKeys } from '@switchboard/testing';
import { SubscriptionsConfig } from './subscriptions.config';

/** The one setting without a default. */
const required = { DATA_KEYS: testDataKeys() };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig('subscriptions', SubscriptionsConfig, { ...required, ...env });
  } catch (err) {
    if (err instanceof ConfigurationError) return err.problems.map((p) => p.key);
    throw err;
  }
  return [];
}

describe('SubscriptionsConfig', () => {
  it('has defaults for everything but the data keys', () => {
    const config = loadConfig('subscriptions', SubscriptionsConfig, required);
    expect(config).toEqual(
      expect.objectContaining({
        PORT: 8081,
        GRPC_PORT: 50051,
        OPERATOR_API_KEY: null,
        PUBLIC_INGRESS_URL: 'http://localhost:8080',
        ALLOW_HTTP_ADDRESSES: false,
        ADDRESS_ALLOWLIST: [],
        DNS_LOOKUP_TIMEOUT_MS: 3000,
        SECRET_ROTATION_GRACE_SECONDS: 86400,
        OUTBOX_POLL_INTERVAL_MS: 1000,
        OUTBOX_BATCH_SIZE: 500,
        TEST_DELIVERY_TIMEOUT_MS: 15000,
        KAFKA_CLIENT_ID: 'switchboard-subscriptions',
      }),
    );
  });

  it('reads the admin settings', () => {
    const config = loadConfig('subscriptions', SubscriptionsConfig, {
      ...required,
      GRPC_PORT: '6000',
      OPERATOR_API_KEY: 'k'.repeat(32),
      PUBLIC_INGRESS_URL: 'https://in.example.com/',
      ALLOW_HTTP_ADDRESSES: 'true',
      ADDRESS_ALLOWLIST: '127.0.0.1/32, hooks.internal ,*.svc.local',
      SECRET_ROTATION_GRACE_SECONDS: '60',
      TEST_DELIVERY_TIMEOUT_MS: '2500',
    });
    expect(config.GRPC_PORT).toBe(6000);
    expect(config.OPERATOR_API_KEY).toBe('k'.repeat(32));
    expect(config.PUBLIC_INGRESS_URL).toBe('https://in.example.com');
    expect(config.ALLOW_HTTP_ADDRESSES).toBe(true);
    expect(config.ADDRESS_ALLOWLIST.map((e) => e.kind)).toEqual(['range', 'host', 'domain']);
    expect(config.SECRET_ROTATION_GRACE_SECONDS).toBe(60);
    expect(config.TEST_DELIVERY_TIMEOUT_MS).toBe(2500);
  });

  it('names every bad variable at once', () => {
    expect(
      problems({
        GRPC_PORT: '70000',
        OPERATOR_API_KEY: 'short',
        PUBLIC_INGRESS_URL: 'ftp://in',
        ALLOW_HTTP_ADDRESSES: 'yes',
        ADDRESS_ALLOWLIST: '10.0.0.0/8,not valid',
        SECRET_ROTATION_GRACE_SECONDS: '-1',
        OUTBOX_BATCH_SIZE: '0',
        TEST_DELIVERY_TIMEOUT_MS: '10',
        DATA_KEYS: 'k1:c2hvcnQ=',
      }).sort(),
    ).toEqual(
      [
        'ADDRESS_ALLOWLIST',
        'ALLOW_HTTP_ADDRESSES',
        'GRPC_PORT',
        'OPERATOR_API_KEY',
        'OUTBOX_BATCH_SIZE',
        'PUBLIC_INGRESS_URL',
        'SECRET_ROTATION_GRACE_SECONDS',
        'TEST_DELIVERY_TIMEOUT_MS',
        'DATA_KEYS',
      ].sort(),
    );
  });

  it('refuses to start without data keys, and never echoes one', () => {
    // given no DATA_KEYS at all
    expect(problems({ DATA_KEYS: undefined as unknown as string })).toEqual(['DATA_KEYS']);

    // when the keys are given, the first one seals
    const config = loadConfig('subscriptions', SubscriptionsConfig, {
      DATA_KEYS: `new:${Buffer.alloc(32, 1).toString('base64')},old:${Buffer.alloc(32, 2).toString('base64')}`,
    });
    expect(config.DATA_KEYS.currentKeyId).toBe('new');
    expect(config.DATA_KEYS.keyIds).toEqual(['new', 'old']);
    expect(JSON.stringify(config)).not.toContain(Buffer.alloc(32, 1).toString('base64'));
  });

  it('derives the key that signs cursors from the first data key, never showing it', () => {
    // given the same first data key, with or without an older one, and another first key
    const first = Buffer.alloc(32, 1).toString('base64');
    const older = Buffer.alloc(32, 2).toString('base64');
    const key = (dataKeys: string) =>
      loadConfig('subscriptions', SubscriptionsConfig, { DATA_KEYS: dataKeys }).cursorKey;

    // then the cursor key follows the first data key alone, and is not that key
    expect(key(`new:${first},old:${older}`).equals(key(`new:${first}`))).toBe(true);
    expect(key(`old:${older},new:${first}`).equals(key(`new:${first}`))).toBe(false);
    expect(key(`new:${first}`).export().toString('base64')).not.toBe(first);
    expect(JSON.stringify({ key: key(`new:${first}`) })).toBe('{"key":{}}');
  });
});
