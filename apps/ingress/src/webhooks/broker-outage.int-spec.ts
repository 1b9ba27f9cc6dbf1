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
    // A kafkajs consumer that crashed during the outage leaves its group in the background (its
    // own disconnect, which the service does not hold): let that finish against the restarted
    // broker before Jest tears the module registry down under it.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }, 150_000);

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

  // A write to a stopped broker fails only after the producer's retries (some 20 s each time).
  it('never answers 200 while the broker is down, 503 only for webhooks not handed to Kafka, and 200 again after', async () => {
    // given ingress storing webhooks normally
    expect((await post()).statusCode).toBe(200);
    await waitReady();

    // when the broker stops and webhooks keep coming
    await localBroker.stop();
    const during = await Promise.all(Array.from({ length: 5 }, () => post()));
    const burst = await Promise.all(Array.from({ length: 10 }, () => post()));

    // then none is acknowledged, and each answer says what is known, with a Retry-After
    const answers = [...during, ...burst].map((res) => {
      expect(res.headers['retry-after']).toBe('7');
      return `${res.statusCode} ${res.json().error.code}`;
    });
    for (const answer of answers) {
      expect(['504 storage_unconfirmed', '503 storage_unavailable']).toContain(answer);
    }
    // the first was handed to Kafka, which failed it: 504, it may or may not be stored
    expect(answers.slice(0, during.length)).toContain('504 storage_unconfirmed');
    // and once Kafka has failed a write, webhooks beside the one probing it are refused unsent
    expect(answers.slice(during.length)).toContain('503 storage_unavailable');

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
  }, 240_000);
});
