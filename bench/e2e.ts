/**
 * End-to-end latency (ingress 200 → subscriber receives) through all four built services at a
 * fixed offered rate, and isolation: the same healthy stream measured again while a second
 * business's subscription points at an endpoint that accepts TCP and never answers.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  type TestDatabase,
  testKafka,
  uniqueName,
} from '@switchboard/testing';
import {
  type Child,
  createdDatabases,
  createdPrefixes,
  fixedRate,
  type FixedRateResult,
  freePort,
  metaBody,
  metaHeaders,
  metaIds,
  type Percentiles,
  percentiles,
  sleep,
  startService,
  waitHttp,
} from './lib';

export interface E2ePhase {
  targetPerSecond: number;
  sent: number;
  acked: number;
  errors: number;
  achievedPerSecond: number;
  delivered: number;
  /** Acknowledged but not received within the drain time (counted as infinite latency). */
  missing: number;
  /** Received at the subscriber per second, from the first send to the last receipt. */
  deliveredPerSecond: number;
  ack: Percentiles;
  e2e: Percentiles;
}

export interface E2eFigures {
  seconds: number;
  drainSeconds: number;
  /** The target rate for `seconds`: what ingress took and what reached the subscriber. */
  target: E2ePhase;
  /** A short burst at the target rate, to learn what the pipeline sustains on this machine. */
  probe: E2ePhase;
  /** Rate of the isolation phases: half of what the probe delivered, at most the target. */
  isolationRate: number;
  alone: E2ePhase;
  withBlackHole: E2ePhase;
  blackHole: { targetPerSecond: number; acked: number; connectionsAccepted: number };
}

const wamidPattern = /wamid\.bench-[a-z0-9-]+/g;

/** The healthy subscriber: records when each message id first arrives, answers 200 at once. */
async function startReceiver(): Promise<{
  server: Server;
  url: string;
  receivedAt: Map<string, number>;
}> {
  const receivedAt = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      for (const id of Buffer.concat(chunks).toString('utf8').match(wamidPattern) ?? []) {
        if (!receivedAt.has(id)) receivedAt.set(id, now);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks/whatsapp`, receivedAt };
}

/** Accepts connections and never answers. */
async function startBlackHole(): Promise<{ server: TcpServer; url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks/black-hole`, sockets };
}

export async function benchEndToEnd({
  rate,
  blackHoleRate,
  seconds,
  drainSeconds,
  log,
}: {
  rate: number;
  /** Webhooks/s for the black-holed business; undefined: a fifth of the isolation rate. */
  blackHoleRate: number | undefined;
  seconds: number;
  drainSeconds: number;
  log: (line: string) => void;
}): Promise<E2eFigures> {
  const prefix = `${uniqueName('bench-e2e')}.`;
  const operatorKey = `op_${randomUUID()}`;
  createdPrefixes.add(prefix);
  const kafka = testKafka('bench-e2e');
  const services: Child[] = [];
  let database: TestDatabase | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let blackHole: Awaited<ReturnType<typeof startBlackHole>> | undefined;
  let blackHoleConnections = 0;
  try {
    database = await createTestDatabase('bench_e2e');
    createdDatabases.add(database);
    receiver = await startReceiver();
    blackHole = await startBlackHole();
    blackHole.server.on('connection', () => blackHoleConnections++);
    const ingressPort = await freePort();
    const ports: Record<string, number> = {};
    for (const name of ['ingress', 'normalizer', 'subscriptions', 'delivery'] as const) {
      ports[name] = name === 'ingress' ? ingressPort : await freePort();
      services.push(
        startService(name, ports[name], {
          KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
          KAFKA_TOPIC_PREFIX: prefix,
          DATABASE_URL: database.url,
          LOG_LEVEL: 'warn',
          SHUTDOWN_TIMEOUT_MS: '5000',
          OPERATOR_API_KEY: operatorKey,
          PUBLIC_INGRESS_URL: `http://127.0.0.1:${ingressPort}`,
          ALLOW_HTTP_ADDRESSES: 'true',
          ADDRESS_ALLOWLIST: '127.0.0.1/32',
          GRPC_PORT: String(await freePort()),
        }),
      );
    }
    const names = ['ingress', 'normalizer', 'subscriptions', 'delivery'];
    await Promise.all(
      services.map((s, i) =>
        waitHttp(`http://127.0.0.1:${ports[names[i]!]}/health/ready`, s, names[i]!, 90_000),
      ),
    );
    log('  four services ready');

    const adminUrl = `http://127.0.0.1:${ports.subscriptions}`;
    async function admin<T>(
      method: string,
      path: string,
      auth: Record<string, string>,
      body?: unknown,
    ) {
      const res = await fetch(`${adminUrl}${path}`, {
        method,
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    }
    async function business(
      name: string,
      ids: typeof metaIds.healthy,
      address: string,
      appSecret: string,
    ) {
      const created = await admin<{ id: string; apiKey: { key: string } }>(
        'POST',
        '/v1/businesses',
        { authorization: `Bearer ${operatorKey}` },
        { name },
      );
      const key = { 'x-api-key': created.apiKey.key };
      const base = `/v1/businesses/${created.id}`;
      const source = await admin<{ id: string; webhookUrl: string; verifyToken: string }>(
        'POST',
        `${base}/sources`,
        key,
        {
          provider: 'meta',
          appSecret,
          externalIds: { wabaIds: [ids.waba], phoneNumberIds: [ids.phone] },
        },
      );
      await admin('POST', `${base}/webhooks`, key, {
        topic: 'messages',
        address,
        configuration: {},
      });
      const deadline = Date.now() + 30_000;
      const handshake = `${source.webhookUrl}?hub.mode=subscribe&hub.verify_token=${source.verifyToken}&hub.challenge=ready`;
      while ((await fetch(handshake).catch(() => undefined))?.status !== 200) {
        if (Date.now() > deadline) throw new Error(`ingress did not learn the source of ${name}`);
        await sleep(200);
      }
      return { base, key, path: new URL(source.webhookUrl).pathname, appSecret };
    }

    const healthy = await business(
      'Bench Healthy',
      metaIds.healthy,
      receiver.url,
      'bench-healthy-secret',
    );
    // A test delivery proves delivery knows the healthy subscription before anything is measured
    // (retried: on a busy machine the first one may not be recorded within the API's wait).
    for (let attempt = 1; ; attempt++) {
      try {
        const test = await admin<{ outcome: string }>(
          'POST',
          `${healthy.base}/webhooks/messages/test`,
          healthy.key,
        );
        if (test.outcome === 'succeeded') break;
        throw new Error(JSON.stringify(test));
      } catch (err) {
        if (attempt >= 4) throw new Error(`test delivery failed: ${(err as Error).message}`);
        log(`  test delivery ${attempt} failed (${(err as Error).message}); trying again`);
      }
    }

    const ingressOrigin = `http://127.0.0.1:${ingressPort}`;
    const healthyStream = (tag: string, streamRate: number) => ({
      origin: ingressOrigin,
      path: healthy.path,
      rate: streamRate,
      make: (i: number) => {
        const key = `wamid.bench-${tag}-${i}-${randomUUID().slice(0, 8)}`;
        const body = metaBody(key, metaIds.healthy);
        return { key, body, headers: metaHeaders(healthy.appSecret, body) };
      },
    });

    async function phase(
      label: string,
      streams: Parameters<typeof fixedRate>[0],
      phaseSeconds: number,
      drainMs = drainSeconds * 1000,
    ): Promise<[E2ePhase, FixedRateResult[]]> {
      log(`  ${label}: ${streams.map((s) => `${s.rate}/s`).join(' + ')} for ${phaseSeconds} s`);
      const startedAt = performance.now();
      const results = await fixedRate(streams, phaseSeconds);
      const sent = results[0]!;
      // Drain: until every acknowledged healthy message arrived, or `drainMs` after sending ended.
      const want = [...sent.ackedAt.keys()];
      const deadline = Date.now() + drainMs;
      while (Date.now() < deadline && !want.every((k) => receiver!.receivedAt.has(k))) {
        await sleep(250);
      }
      const latencies: number[] = [];
      let lastReceipt = startedAt;
      let delivered = 0;
      for (const [k, ackedAt] of sent.ackedAt) {
        const got = receiver!.receivedAt.get(k);
        if (got === undefined) {
          latencies.push(Infinity);
        } else {
          delivered++;
          lastReceipt = Math.max(lastReceipt, got);
          latencies.push(Math.max(0, got - ackedAt));
        }
      }
      const result: E2ePhase = {
        targetPerSecond: streams[0]!.rate,
        sent: sent.sent,
        acked: sent.ok,
        errors: sent.errors,
        achievedPerSecond: sent.achievedPerSecond,
        delivered,
        missing: sent.ok - delivered,
        deliveredPerSecond: delivered / ((lastReceipt - startedAt) / 1000),
        ack: sent.ackLatency,
        e2e: percentiles(latencies),
      };
      const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '∞');
      log(
        `    ${result.acked} acknowledged (${result.achievedPerSecond.toFixed(0)}/s), ${delivered} delivered ` +
          `(${result.deliveredPerSecond.toFixed(0)}/s), e2e p50 ${ms(result.e2e.p50)}, p99 ${ms(result.e2e.p99)}`,
      );
      return [result, results];
    }

    await phase('warm-up', [healthyStream('warm', Math.min(100, rate))], 3);
    // What the pipeline delivers on this machine: a 1 s burst at the target rate, fully drained.
    const [probe] = await phase('capacity probe', [healthyStream('probe', rate)], 1, 90_000);
    const isolationRate = Math.max(
      10,
      Math.min(rate, Math.floor((probe.deliveredPerSecond * 0.5) / 10) * 10),
    );
    const holeRate = blackHoleRate ?? Math.max(5, Math.round(isolationRate / 5));

    const [alone] = await phase(
      'isolation: healthy endpoint alone',
      [healthyStream('alone', isolationRate)],
      seconds,
    );

    const hole = await business(
      'Bench Black Hole',
      metaIds.blackHoled,
      blackHole.url,
      'bench-hole-secret',
    );
    const holeStream = {
      origin: ingressOrigin,
      path: hole.path,
      rate: holeRate,
      make: (i: number) => {
        const key = `wamid.bench-hole-${i}-${randomUUID().slice(0, 8)}`;
        const body = metaBody(key, metaIds.blackHoled);
        return { key, body, headers: metaHeaders(hole.appSecret, body) };
      },
    };
    const [withBlackHole, results] = await phase(
      'isolation: healthy endpoint beside a black-holed one',
      [healthyStream('beside', isolationRate), holeStream],
      seconds,
    );
    const holeAcked = results[1]!.ok;

    // Last, because what it leaves queued is torn down with the services: the target rate.
    const [target] = await phase('target rate', [healthyStream('target', rate)], seconds);
    return {
      seconds,
      drainSeconds,
      target,
      probe,
      isolationRate,
      alone,
      withBlackHole,
      blackHole: {
        targetPerSecond: holeRate,
        acked: holeAcked,
        connectionsAccepted: blackHoleConnections,
      },
    };
  } finally {
    for (const socket of blackHole?.sockets ?? []) socket.destroy();
    await Promise.all(services.map((s) => s.stop()));
    await new Promise((r) => (blackHole ? blackHole.server.close(r) : r(undefined)));
    await new Promise((r) => {
      if (!receiver) return r(undefined);
      receiver.server.closeAllConnections();
      receiver.server.close(r);
    });
    await database
      ?.drop()
      .catch((err: unknown) => log(`  could not drop database: ${(err as Error).message}`));
    await deleteTopicsWithPrefix(kafka, prefix).then(
      () => createdPrefixes.delete(prefix),
      (err: unknown) => log(`  could not delete topics ${prefix}*: ${(err as Error).message}`),
    );
  }
}
