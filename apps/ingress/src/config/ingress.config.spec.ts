import { ConfigurationError, loadConfig } from '@switchboard/service-kit';
import { testDataKeys } from '@switchboard/testing';
import { IngressConfig } from './ingress.config';

/** What the environment must set: the data keys opening the sealed source secrets. */
const required = { DATA_KEYS: testDataKeys() };

/** The keys loadConfig refuses in an environment. */
function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig('ingress', IngressConfig, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigurationError) return err.problems.map((p) => p.key);
    throw err;
  }
}

describe('IngressConfig', () => {
  it('has defaults for everything but the data keys', () => {
    const config = loadConfig('ingress', IngressConfig, required);
    expect(config).toMatchObject({
      PORT: 8080,
      BODY_LIMIT_BYTES: 4 * 1024 * 1024,
      BODY_BYTES_IN_FLIGHT: 64 * 1024 * 1024,
      REQUEST_TIMEOUT_MS: 15_000,
      HEADERS_TIMEOUT_MS: 5_000,
      MAX_CONNECTIONS: 2_048,
      MAX_REQUESTS_PER_SOCKET: 1_000,
    });
  });

  it('requires DATA_KEYS, refusing it at start when missing', () => {
    // given an environment without data keys, then start-up is refused on DATA_KEYS alone
    expect(problems({})).toEqual(['DATA_KEYS']);
  });

  it('refuses malformed DATA_KEYS, with the other bad variables', () => {
    // given a key that is not 32 bytes next to a bad port
    expect(problems({ DATA_KEYS: 'k1:c2hvcnQ=', PORT: 'http' }).sort()).toEqual([
      'DATA_KEYS',
      'PORT',
    ]);
    // and an entry without a key id
    expect(problems({ DATA_KEYS: Buffer.alloc(32).toString('base64') })).toEqual(['DATA_KEYS']);
  });

  it('opens with every key of DATA_KEYS, sealing with the first', () => {
    // given a new key and the one it replaced
    const config = loadConfig('ingress', IngressConfig, {
      DATA_KEYS: `new:${Buffer.alloc(32, 1).toString('base64')},old:${Buffer.alloc(32, 2).toString('base64')}`,
    });

    // then both are known, the first sealing
    expect(config.DATA_KEYS.currentKeyId).toBe('new');
    expect(config.DATA_KEYS.keyIds).toEqual(['new', 'old']);
  });

  it('keeps the headers timeout within the request timeout', () => {
    expect(problems({ ...required, HEADERS_TIMEOUT_MS: '20000' })).toEqual(['HEADERS_TIMEOUT_MS']);
  });

  it('keeps the body limit within three quarters of the bytes in flight', () => {
    expect(
      problems({
        ...required,
        BODY_BYTES_IN_FLIGHT: String(4 * 1024 * 1024),
        BODY_LIMIT_BYTES: String(4 * 1024 * 1024),
      }),
    ).toEqual(['BODY_LIMIT_BYTES']);
  });
});
