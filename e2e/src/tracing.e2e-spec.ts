import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, TestReceiver } from '@switchboard/testing';
import { postMetaMessage } from './meta-business';
import { allServices, hooksPath, startReceiver, useStack } from './stack';

/** One span as an OTLP/HTTP JSON export names it, with the service that sent it. */
interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  /** Start and length, ms (from the span's nanosecond timestamps). */
  startMs: number;
  durationMs: number;
  /** The span's string attributes. */
  attributes: Record<string, string>;
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano?: string;
        endTimeUnixNano?: string;
        attributes?: { key: string; value: { stringValue?: string } }[];
      }[];
    }[];
  }[];
}

/** An OTLP/HTTP collector that keeps every span the services export as JSON. */
async function startCollector(): Promise<{
  url: string;
  spans: ExportedSpan[];
  close(): Promise<void>;
}> {
  const spans: ExportedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces;
        for (const resource of body.resourceSpans ?? []) {
          const service =
            resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value
              .stringValue ?? '';
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                kind: span.kind,
                startMs: Number(BigInt(span.startTimeUnixNano ?? '0') / 1000n) / 1000,
                durationMs:
                  Number(
                    (BigInt(span.endTimeUnixNano ?? '0') - BigInt(span.startTimeUnixNano ?? '0')) /
                      1000n,
                  ) / 1000,
                attributes: Object.fromEntries(
                  (span.attributes ?? []).flatMap((a) =>
                    a.value.stringValue === undefined ? [] : [[a.key, a.value.stringValue]],
                  ),
                ),
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('one trace per webhook, across the services and Kafka', () => {
  const stack = useStack('tracing');
  let receiver: TestReceiver;
  let collector: Awaited<ReturnType<typeof startCollector>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    collector = await startCollector();
    await stack.start(allServices, {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
  });

  afterAll(async () => {
    await collector?.close();
    await receiver?.stop();
  });

  const { admin } = stack;

  it('follows a Meta webhook from ingress through normalizer, delivery and the delivery log to the subscriber', async () => {
    // given a business with a Meta source and a subscription to the messages topic
    const { key, base, source } = await stack.createMetaBusiness({
      name: 'Traced Shoes',
      appSecret: 'e2e-tracing-app-secret',
      address: receiver.url(hooksPath),
    });
    const test = await admin<{ outcome: string }>('POST', `${base}/webhooks/messages/test`, key);
    expect(test.body).toMatchObject({ outcome: 'succeeded' });

    // when Meta posts a signed webhook with a new message
    const { wamid, status } = await postMetaMessage(source.webhookUrl, 'e2e-tracing-app-secret');
    expect(status).toBe(200);

    // then the subscriber receives it with a traceparent of the trace ingress started
    const delivered = await eventually(
      () => receiver.requests.find((r) => r.body.includes(wamid)),
      {
        timeoutMs: 30_000,
        what: 'the message at the subscriber',
      },
    );
    const traceparent = String(delivered.headers.traceparent ?? '');
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const [, traceId, parentId] = traceparent.split('-');
    const ingressSpan = await eventually(
      () =>
        collector.spans.find(
          (s) =>
            s.service === 'ingress' &&
            s.kind === SPAN_KIND_SERVER &&
            s.name.startsWith('POST') &&
            s.traceId === traceId,
        ),
      { timeoutMs: 30_000, what: "ingress's span of the webhook request" },
    );
    expect(ingressSpan.parentSpanId).toBe('');

    // and that one trace holds a span of every service on the way, the delivery log's included
    const inTrace = await eventually(
      () => {
        const spans = collector.spans.filter((s) => s.traceId === traceId);
        const has = (service: string, name: string) =>
          spans.some((s) => s.service === service && s.name === name);
        return has('normalizer', `process ${stack.prefix}switchboard.inbound.raw.v1`) &&
          has('normalizer', `send ${stack.prefix}switchboard.messages.v1`) &&
          has('delivery', `process ${stack.prefix}switchboard.messages.v1`) &&
          has('delivery', `send ${stack.prefix}switchboard.delivery.attempts.v1`) &&
          has('subscriptions', `process ${stack.prefix}switchboard.delivery.attempts.v1`) &&
          spans.some((s) => s.spanId === parentId)
          ? spans
          : undefined;
      },
      { timeoutMs: 30_000, what: 'the spans of every service in the webhook trace' },
    );
    expect(new Set(inTrace.map((s) => s.service))).toEqual(
      new Set(['ingress', 'normalizer', 'delivery', 'subscriptions']),
    );
    // and the request's traceparent names delivery's client span of that very request, whose
    // parent is the processing of the event
    const outbound = inTrace.find((s) => s.spanId === parentId);
    expect(outbound).toMatchObject({ service: 'delivery', kind: SPAN_KIND_CLIENT });
    const processing = inTrace.find((s) => s.spanId === outbound?.parentSpanId);
    expect(processing?.name).toBe(`process ${stack.prefix}switchboard.messages.v1`);
    // (the trace, for whoever reads the test's output: when each span started after the root,
    // and how long it took)
    const rows = [...inTrace]
      .sort((a, b) => a.startMs - b.startMs)
      .map(
        (span) =>
          `${(span.startMs - ingressSpan.startMs).toFixed(1).padStart(8)} ms ` +
          `${span.durationMs.toFixed(2).padStart(8)} ms  ${span.service.padEnd(13)} ${span.name}`,
      );
    console.log(`one webhook's trace (start after the root, duration):\n${rows.join('\n')}`);
    // and the ingress server span is the root every other span descends from
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    for (const span of inTrace) {
      let at: ExportedSpan | undefined = span;
      while (at?.parentSpanId) at = byId.get(at.parentSpanId);
      expect(at?.spanId).toBe(ingressSpan.spanId);
    }
    // and ingress makes one span of the webhook, the request's, which records the send of the raw
    // record and is the parent of the normalizer's processing of that record
    expect(inTrace.filter((s) => s.service === 'ingress')).toEqual([ingressSpan]);
    expect(ingressSpan.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': `${stack.prefix}switchboard.inbound.raw.v1`,
    });
    const normalized = inTrace.find(
      (s) => s.name === `process ${stack.prefix}switchboard.inbound.raw.v1`,
    );
    expect(normalized?.parentSpanId).toBe(ingressSpan.spanId);
    // and the readiness probes every service answered while starting made no span at all
    expect(collector.spans.filter((s) => /health|metrics|^(ready|live)$/i.test(s.name))).toEqual(
      [],
    );
  });
});
