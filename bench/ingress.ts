/**
 * Ingress throughput and latency: the built ingress (signature check, raw record to Kafka with
 * acks=all, then 200) against a bare Fastify server doing the same HMAC check without Kafka, both
 * as child processes driven by the same closed-loop generator in the same run.
 */
import { randomUUID } from 'node:crypto';
import { ConfigTopic, configKey, encode, type SourceRecord } from '@switchboard/contracts';
import { deleteTopicsWithPrefix, testKafka, uniqueName } from '@switchboard/testing';
import {
  type Child,
  createdPrefixes,
  type ClosedLoopResult,
  closedLoop,
  freePort,
  metaBody,
  metaHeaders,
  sleep,
  startChild,
  startService,
  waitHttp,
} from './lib';
import { errorMessage } from '@switchboard/service-kit/error-message';

export interface IngressFigures {
  connections: number;
  seconds: number;
  bodyBytes: number;
  ingress: ClosedLoopResult;
  baseline: ClosedLoopResult;
}

const secret = 'bench-meta-app-secret';

function requests(count: number): { body: Buffer; headers: Record<string, string> }[] {
  return Array.from({ length: count }, (_, i) => {
    const body = metaBody(`wamid.bench-ingress-${i}-${randomUUID()}`);
    return { body, headers: metaHeaders(secret, body) };
  });
}

export async function benchIngress({
  connections,
  seconds,
  log,
}: {
  connections: number;
  seconds: number;
  log: (line: string) => void;
}): Promise<IngressFigures> {
  const prefix = `${uniqueName('bench-ingress')}.`;
  createdPrefixes.add(prefix);
  const kafka = testKafka('bench-ingress');
  const load = requests(2_000);
  const sourceId = uniqueName('src-bench');
  const verifyToken = randomUUID();
  let ingress: Child | undefined;
  let baseline: Child | undefined;
  try {
    // Baseline first, on its own: a bare Fastify server with the same HMAC check.
    const basePort = await freePort();
    baseline = startChild(process.execPath, ['--import', 'tsx', 'bench/baseline-server.ts'], {
      PORT: String(basePort),
      BENCH_META_SECRET: secret,
    });
    const baseOrigin = `http://127.0.0.1:${basePort}`;
    await waitHttp(`${baseOrigin}/health/live`, baseline, 'baseline Fastify server');
    await closedLoop(baseOrigin, `/webhooks/meta/${sourceId}`, load, { connections, seconds: 2 });
    log(`  baseline: measuring ${seconds} s with ${connections} connections`);
    const baseResult = await closedLoop(baseOrigin, `/webhooks/meta/${sourceId}`, load, {
      connections,
      seconds,
    });
    await baseline.stop();
    baseline = undefined;

    // The built ingress with a Meta source on its own config topic.
    const port = await freePort();
    ingress = startService('ingress', port, {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
      KAFKA_TOPIC_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitHttp(`${origin}/health/ready`, ingress, 'ingress');
    const source: SourceRecord = {
      kind: 'source',
      provider: 'meta',
      id: sourceId,
      businessId: 'biz_bench',
      environment: 'production',
      enabled: true,
      secrets: [
        { id: randomUUID(), value: secret, createdAt: new Date().toISOString(), expiresAt: null },
      ],
      verifyToken,
      externalIds: { wabaIds: ['102290129340398'], phoneNumberIds: ['106540352242922'] },
      updatedAt: new Date().toISOString(),
      version: 1,
    };
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${prefix}${ConfigTopic.name}`,
      messages: [{ key: configKey(source), value: encode(ConfigTopic, source) }],
    });
    await producer.disconnect();
    const handshake = `${origin}/webhooks/meta/${sourceId}?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=ready`;
    const deadline = Date.now() + 30_000;
    while ((await fetch(handshake).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error('ingress did not learn the bench source');
      await sleep(200);
    }
    // Warm up (JIT, Kafka connections, partition metadata), then measure.
    await closedLoop(origin, `/webhooks/meta/${sourceId}`, load, { connections, seconds: 2 });
    log(`  ingress: measuring ${seconds} s with ${connections} connections`);
    const ingressResult = await closedLoop(origin, `/webhooks/meta/${sourceId}`, load, {
      connections,
      seconds,
    });
    return {
      connections,
      seconds,
      bodyBytes: load[0]!.body.length,
      ingress: ingressResult,
      baseline: baseResult,
    };
  } finally {
    await Promise.all([ingress?.stop(), baseline?.stop()]);
    await deleteTopicsWithPrefix(kafka, prefix).then(
      () => createdPrefixes.delete(prefix),
      (err: unknown) => log(`  could not delete topics ${prefix}*: ${errorMessage(err)}`),
    );
  }
}
