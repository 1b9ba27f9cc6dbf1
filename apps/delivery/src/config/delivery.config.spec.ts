import { ConfigurationError, loadConfig } from '@switchboard/service-kit';
import { DEFAULT_RETRY_SCHEDULE_SECONDS, DeliveryConfig } from './delivery.config';

describe('DeliveryConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig('delivery', DeliveryConfig, {});
    expect(config).toMatchObject({
      PORT: 8083,
      CONSUMER_GROUP_ID: 'switchboard-delivery',
      ALLOW_HTTP_ADDRESSES: false,
      ADDRESS_ALLOWLIST: [],
      RETRY_SCHEDULE_SECONDS: [...DEFAULT_RETRY_SCHEDULE_SECONDS],
      RETRY_SCHEDULE_SCALE: 1,
      RETRY_JITTER: 0.2,
      DELIVERY_TIMEOUT_MS: 10_000,
      DISABLE_AFTER_SECONDS: 5 * 86_400,
    });
    const days = DEFAULT_RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0) / 86_400;
    // 12 retries over about four days (the last three a day apart), then dead-lettered
    expect(DEFAULT_RETRY_SCHEDULE_SECONDS).toHaveLength(12);
    expect(days).toBeGreaterThan(3.5);
    expect(days).toBeLessThan(4);
  });

  it('names its consumer group after the topic prefix unless one is given', () => {
    expect(
      loadConfig('delivery', DeliveryConfig, { KAFKA_TOPIC_PREFIX: 'staging.' }).CONSUMER_GROUP_ID,
    ).toBe('staging.switchboard-delivery');
    expect(
      loadConfig('delivery', DeliveryConfig, {
        KAFKA_TOPIC_PREFIX: 'staging.',
        CONSUMER_GROUP_ID: 'my-group',
      }).CONSUMER_GROUP_ID,
    ).toBe('my-group');
  });

  it('reads lists, flags and the allowlist', () => {
    const config = loadConfig('delivery', DeliveryConfig, {
      ALLOW_HTTP_ADDRESSES: 'true',
      ADDRESS_ALLOWLIST: '127.0.0.1/32, ::1, hooks.internal',
      RETRY_SCHEDULE_SECONDS: '1,2,3',
      RETRY_SCHEDULE_SCALE: '0.01',
    });
    expect(config.ALLOW_HTTP_ADDRESSES).toBe(true);
    expect(config.ADDRESS_ALLOWLIST.map((e) => e.text)).toEqual([
      '127.0.0.1/32',
      '::1',
      'hooks.internal',
    ]);
    expect(config.RETRY_SCHEDULE_SECONDS).toEqual([1, 2, 3]);
    expect(config.RETRY_SCHEDULE_SCALE).toBe(0.01);
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig('delivery', DeliveryConfig, {
        ALLOW_HTTP_ADDRESSES: 'yes',
        ADDRESS_ALLOWLIST: '10.0.0.0/99',
        RETRY_SCHEDULE_SECONDS: '5,soon',
        RETRY_JITTER: '2',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const keys = (error as ConfigurationError).problems.map((p) => p.key.split('.')[0]);
    expect(new Set(keys)).toEqual(
      new Set([
        'ALLOW_HTTP_ADDRESSES',
        'ADDRESS_ALLOWLIST',
        'RETRY_SCHEDULE_SECONDS',
        'RETRY_JITTER',
      ]),
    );
  });
});
