import { ConfigurationError, loadConfig } from '@switchboard/service-kit';
import { NormalizerConfig } from './normalizer.config';

describe('NormalizerConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig('normalizer', NormalizerConfig, {})).toMatchObject({
      PORT: 8082,
      CONSUMER_GROUP_ID: 'switchboard-normalizer',
      MAX_EVENTS_PER_WEBHOOK: 5_000,
      BULK_EVENTS_PER_SECOND: 200,
    });
  });

  it('names its consumer group after the topic prefix unless one is given', () => {
    const env = { KAFKA_TOPIC_PREFIX: 'run-7.' };
    expect(loadConfig('normalizer', NormalizerConfig, env).CONSUMER_GROUP_ID).toBe(
      'run-7.switchboard-normalizer',
    );
    expect(
      loadConfig('normalizer', NormalizerConfig, { ...env, CONSUMER_GROUP_ID: 'mine' })
        .CONSUMER_GROUP_ID,
    ).toBe('mine');
  });

  it('refuses an events-per-webhook limit below one', () => {
    expect(() =>
      loadConfig('normalizer', NormalizerConfig, { MAX_EVENTS_PER_WEBHOOK: '0' }),
    ).toThrow(ConfigurationError);
  });
});
