import { ConfigurationError, loadConfig } from '@switchboard/service-kit';
import { testDataKeys } from '@switchboard/testing';
import { DEFAULT_RETRY_SCHEDULE_SECONDS, DeliveryConfig } from './delivery.config';

/** What the environment must set: the data keys opening the sealed signing secrets. */
const required = { DATA_KEYS: testDataKeys() };

/** The keys loadConfig refuses in an environment. */
function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig('delivery', DeliveryConfig, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigurationError) return err.problems.map((p) => p.key);
    throw err;
  }
}

describe('DeliveryConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig('delivery', DeliveryConfig, required);
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

  it('dead-letters a conversation blocked an hour, and remembers statuses 30 days, by default', () => {
    // when nothing is set, then the defaults hold
    expect(loadConfig('delivery', DeliveryConfig, required)).toMatchObject({
      ORDERING_BLOCK_MAX_SECONDS: 3_600,
      STATUS_PROGRESS_RETENTION_HOURS: 720,
    });
    // and a limit of zero, which would dead-letter every failing conversation at once, is refused
    expect(
      problems({
        ...required,
        ORDERING_BLOCK_MAX_SECONDS: '0',
        STATUS_PROGRESS_RETENTION_HOURS: 'x',
      }),
    ).toEqual(['ORDERING_BLOCK_MAX_SECONDS', 'STATUS_PROGRESS_RETENTION_HOURS']);
  });

  it('names its consumer group after the topic prefix unless one is given', () => {
    expect(
      loadConfig('delivery', DeliveryConfig, { ...required, KAFKA_TOPIC_PREFIX: 'staging.' })
        .CONSUMER_GROUP_ID,
    ).toBe('staging.switchboard-delivery');
    expect(
      loadConfig('delivery', DeliveryConfig, {
        ...required,
        KAFKA_TOPIC_PREFIX: 'staging.',
        CONSUMER_GROUP_ID: 'my-group',
      }).CONSUMER_GROUP_ID,
    ).toBe('my-group');
  });

  it('reads lists, flags and the allowlist', () => {
    const config = loadConfig('delivery', DeliveryConfig, {
      ...required,
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
        ...required,
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

  it('requires DATA_KEYS, refusing it at start when missing', () => {
    // given an environment without data keys, then start-up is refused on DATA_KEYS alone
    expect(problems({})).toEqual(['DATA_KEYS']);
  });

  it('refuses malformed DATA_KEYS', () => {
    // given a key that is not 32 bytes, and an entry without a key id
    expect(problems({ DATA_KEYS: 'k1:c2hvcnQ=' })).toEqual(['DATA_KEYS']);
    expect(problems({ DATA_KEYS: Buffer.alloc(32).toString('base64') })).toEqual(['DATA_KEYS']);
  });

  it('opens with every key of DATA_KEYS, sealing with the first', () => {
    // given a new key and the one it replaced
    const config = loadConfig('delivery', DeliveryConfig, {
      DATA_KEYS: `new:${Buffer.alloc(32, 1).toString('base64')},old:${Buffer.alloc(32, 2).toString('base64')}`,
    });

    // then both are known, the first sealing
    expect(config.DATA_KEYS.currentKeyId).toBe('new');
    expect(config.DATA_KEYS.keyIds).toEqual(['new', 'old']);
  });
});
