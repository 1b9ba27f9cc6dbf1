import { ConfigurationError, loadConfig } from '@switchboard/service-kit';
import { SubscriptionsConfig } from './subscriptions.config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig('subscriptions', SubscriptionsConfig, env);
  } catch (err) {
    if (err instanceof ConfigurationError) return err.problems.map((p) => p.key);
    throw err;
  }
  return [];
}

describe('SubscriptionsConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig('subscriptions', SubscriptionsConfig, {});
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
      ].sort(),
    );
  });
});
