import { decode, InboundRejectedTopic, Provider } from '@switchboard/contracts';
import type { BatchingProducer, ProducerMessage } from '@switchboard/kafka';
import { TopicNames, TopicPublisher } from '@switchboard/kafka';
import { Registry } from 'prom-client';
import { IngressConfig } from '../config/ingress.config';
import { IngressMetrics } from './ingress.metrics';
import { type Rejection, RejectionRecorder } from './rejection.recorder';
import { testDataKeys } from '@switchboard/testing';

/** A producer port that records what would be sent. */
class RecordingProducer {
  readonly sent: { topic: string; message: ProducerMessage }[] = [];
  async send(topic: string, message: ProducerMessage): Promise<void> {
    this.sent.push({ topic, message });
  }
}

function rejection(overrides: Partial<Rejection> = {}): Rejection {
  return {
    route: 'meta',
    method: 'POST',
    sourceId: 'src_1',
    businessId: null,
    reason: 'signature_invalid',
    message: 'X-Hub-Signature-256 does not match the body',
    remoteAddress: '203.0.113.9',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': 'sha256=deadbeef',
      authorization: 'Bearer top-secret-token',
    },
    body: Buffer.from('{"object":"whatsapp_business_account"}'),
    bodyBytes: 38,
    receivedAt: new Date('2026-11-21T10:00:00Z'),
    ...overrides,
  };
}

describe(RejectionRecorder.name, () => {
  function setUp(perSecond: number) {
    const producer = new RecordingProducer();
    const registry = new Registry();
    const metrics = new IngressMetrics(registry);
    const config = IngressConfig.parse({
      DATA_KEYS: testDataKeys(),
      REJECTION_LOG_PER_SECOND: String(perSecond),
    });
    const recorder = new RejectionRecorder(
      new TopicPublisher(producer as unknown as BatchingProducer, new TopicNames('test.')),
      metrics,
      config,
    );
    return { producer, registry, recorder };
  }

  async function counter(registry: Registry, name: string): Promise<number> {
    const metric = await registry.getSingleMetric(name)?.get();
    return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
  }

  it('records a rejection on the rejected topic without secrets or signatures', () => {
    // given a recorder with room to record
    const { producer, recorder } = setUp(20);

    // when a request with a bearer token and a signature is rejected
    recorder.record(rejection());

    // then one valid record goes to the prefixed rejected topic, holding neither value
    expect(producer.sent).toHaveLength(1);
    const [sent] = producer.sent;
    expect(sent!.topic).toBe(`test.${InboundRejectedTopic.name}`);
    const decoded = decode(InboundRejectedTopic, sent!.message.value as Buffer);
    expect(decoded.ok).toBe(true);
    const text = (sent!.message.value as Buffer).toString();
    expect(text).not.toContain('top-secret-token');
    expect(text).not.toContain('deadbeef');
    expect(text).not.toContain('whatsapp_business_account');
  });

  it('records at most the configured number per second and counts every rejection', async () => {
    // given a limit of 20 recorded rejections per second
    const { producer, registry, recorder } = setUp(20);

    // when a flood of 500 bad requests arrives within the same second
    for (let i = 0; i < 500; i++) recorder.record(rejection({ sourceId: `src_${i}` }));

    // then only 20 are written, and all 500 are counted
    expect(producer.sent).toHaveLength(20);
    expect(await counter(registry, 'switchboard_ingress_requests_total')).toBe(500);
    expect(await counter(registry, 'switchboard_ingress_rejections_unrecorded_total')).toBe(480);
  });

  it('labels counts with a known route or "unknown", whatever path segment was requested', async () => {
    // given a recorder
    const { registry, recorder } = setUp(20);

    // when requests for 200 made-up routes and for every real one are rejected
    for (let i = 0; i < 200; i++) {
      recorder.record(rejection({ route: `made-up-${i}`, reason: 'route_not_found' }));
    }
    for (const route of Provider.options) recorder.record(rejection({ route }));

    // then the route label only takes the real routes and "unknown"
    const metric = await registry.getSingleMetric('switchboard_ingress_requests_total')!.get();
    const routes = new Set(metric.values.map((v) => v.labels.route));
    expect([...routes].sort()).toEqual([...Provider.options, 'unknown'].sort());
    const unknown = metric.values.find((v) => v.labels.route === 'unknown');
    expect(unknown?.value).toBe(200);
  });

  it('refills its allowance every second', () => {
    // given an allowance used up
    jest.useFakeTimers({ now: new Date('2026-11-21T10:00:00Z') });
    try {
      const { producer, recorder } = setUp(2);
      for (let i = 0; i < 5; i++) recorder.record(rejection());
      expect(producer.sent).toHaveLength(2);

      // when a second has passed
      jest.setSystemTime(new Date('2026-11-21T10:00:01.001Z'));
      for (let i = 0; i < 5; i++) recorder.record(rejection());

      // then two more are recorded
      expect(producer.sent).toHaveLength(4);
    } finally {
      jest.useRealTimers();
    }
  });
});
