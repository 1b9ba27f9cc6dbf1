import { readFixture } from '@switchboard/fixtures';
import { eventually, localBroker } from '@switchboard/testing';
import { IngressUnderTest } from '../../test/ingress-app';
import { metaHeaders, secretOf, source } from '../../test/signing';

describe('ingress during a Kafka outage (real broker stopped and restarted)', () => {
  const ingress = new IngressUnderTest();
  const meta = source({ provider: 'meta' });
  const body = readFixture('meta/text-message.json');

  beforeAll(async () => {
    localBroker.assertControllable();
    await ingress.start({ KAFKA_ACK_TIMEOUT_MS: '1500', RETRY_AFTER_SECONDS: '7' });
    await ingress.publishSources(meta);
  });

  afterAll(async () => {
    await localBroker.start();
    await waitReady();
    await ingress.stop();
  });

  /** Ready again: Kafka answers and the config follower has rejoined after the outage. */
  function waitReady() {
    return eventually(
      async () => {
        const res = await ingress.inject({ method: 'GET', url: '/health/ready' });
        return res.statusCode === 200 ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'ingress ready again' },
    );
  }

  function post() {
    return ingress.inject({
      method: 'POST',
      url: `/webhooks/meta/${meta.id}`,
      headers: metaHeaders(secretOf(meta), body),
      payload: body,
    });
  }

  it('answers 503 with Retry-After while the broker is down, never 200, and 200 again after it returns', async () => {
    // given ingress storing webhooks normally
    expect((await post()).statusCode).toBe(200);
    await waitReady();

    // when the broker stops
    await localBroker.stop();
    const during = await Promise.all([post(), post(), post()]);

    // then every request is refused with 503 and a Retry-After, none acknowledged
    for (const res of during) {
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('7');
      expect(res.json().error.code).toBe('storage_unavailable');
    }

    // and once the broker is back, webhooks are stored and acknowledged again
    await localBroker.start();
    const after = await eventually(
      async () => {
        const res = await post();
        return res.statusCode === 200 ? res : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000, what: 'a 200 after the broker returned' },
    );
    expect(after.json<{ id: string }>().id).toMatch(/^[0-9a-f-]{36}$/);
    await waitReady();
  });
});
