import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  eventually,
  freePort,
  ServiceProcess,
  type TestDatabase,
  testKafka,
  testKafkaBrokers,
  uniqueName,
} from '@switchboard/testing';
import { type FuzzRequest, type SourceUnderTest, sign } from './hostile-input';
import { SeededRandom } from './random';
import { RequestGenerator } from './requests';

const totalRequests = Number(process.env.FUZZ_REQUESTS ?? 100_000);
const inFlight = Number(process.env.FUZZ_CONCURRENCY ?? 20);
const seed = Number(process.env.FUZZ_SEED ?? 20261121);
/** How much a service's resident memory may grow over the run. */
const rssGrowthLimitBytes = 300 * 1024 * 1024;
/**
 * How much more it may grow over the last quarter of the run than its peak before: memory levels
 * off (V8 takes a few hundred thousand requests to size its heap) instead of growing steadily.
 */
const rssLastQuarterLimitBytes = 64 * 1024 * 1024;
/** Resident memory is sampled this many times over the run. */
const rssSamples = 10;

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  /** Set when the connection failed before an answer arrived. */
  failure?: string;
}

/** Sends one request with node:http, so headers and bodies go out byte for byte as generated. */
function send(agent: Agent, baseUrl: string, r: FuzzRequest): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        // The server closes the connection after a 413 or 431; a kept-alive socket reused in that
        // moment would fail on the client's side, so those requests get a connection of their own.
        agent: r.expect.includes(413) || r.expect.includes(431) ? false : agent,
        host: hostname,
        port,
        method: r.method,
        path: r.path,
        headers: { ...r.headers, ...(r.body ? { 'content-length': String(r.body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', (err) =>
          resolve({ status: 0, contentType: '', body: Buffer.alloc(0), failure: err.message }),
        );
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('client timeout after 30 s')));
    req.on('error', (err) =>
      resolve({ status: 0, contentType: '', body: Buffer.alloc(0), failure: err.message }),
    );
    req.end(r.body);
  });
}

/**
 * Answers the documentation does not describe but that are accepted here, each a finding of this
 * suite, counted in the summary (and to be removed once the service kit fixes them).
 */

interface Verdict {
  violation?: string;
  /** An accepted answer worth counting on its own. */
  note?: string;
}

/** Whether the documentation allows the answer. */
function judge(r: FuzzRequest, answer: Answer): Verdict {
  if (answer.failure) {
    // A body over the limit is refused while it is still being sent: the server answers 413 and
    // closes, and the client may see the reset before it reads the answer.
    if (r.expect.includes(413) && /EPIPE|ECONNRESET|socket hang up/.test(answer.failure)) {
      return { note: 'connection closed while sending a body over the limit' };
    }
    return { violation: `no answer: ${answer.failure}` };
  }
  if (!r.expect.includes(answer.status)) {
    const detail = answer.status >= 500 ? `: ${answer.body.subarray(0, 200).toString()}` : '';
    return { violation: `status ${answer.status}, expected ${r.expect.join('|')}${detail}` };
  }
  // 431 is Node's own answer to oversized headers, before any route: no JSON body, as documented
  if (answer.status === 431) return {};
  const isHandshake = r.method === 'GET' && r.path.startsWith('/webhooks/meta/');
  if (answer.status === 200 && isHandshake) {
    return answer.contentType.startsWith('text/plain')
      ? {}
      : { violation: `handshake answered ${answer.contentType}` };
  }
  if (answer.status === 204) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return {
      violation: `status ${answer.status} with a body that is not JSON: ${answer.body.subarray(0, 120).toString()}`,
    };
  }
  if (answer.status >= 400) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
      return {
        violation: `status ${answer.status} without {"error":{"code","message"}}: ${answer.body.subarray(0, 200).toString()}`,
      };
    }
    if (answer.status === 503) {
      // documented: the inbound event log is the normalizer's, which this suite does not start
      return r.path.includes('/events') && error.code === 'events_unavailable'
        ? { note: '503 events_unavailable (normalizer not started)' }
        : { violation: `503 ${error.code}` };
    }
  } else if (r.service === 'ingress' && typeof (parsed as { id?: unknown }).id !== 'string') {
    return { violation: `ingress answered ${answer.status} without an id` };
  }
  return {};
}

/** The service's resident set size, from its own Prometheus metrics (prom-client reads /proc). */
async function residentBytes(service: ServiceProcess): Promise<number> {
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  const line = metrics.split('\n').find((l) => l.startsWith('process_resident_memory_bytes'));
  const value = Number(line?.split(' ').pop());
  if (!Number.isFinite(value)) throw new Error(`${service.name} reports no resident memory`);
  return value;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

describe('hostile input against ingress and the admin API', () => {
  const prefix = `${uniqueName('fuzz')}.`;
  const operatorKey = `op_${randomUUID()}${randomUUID()}`;
  let database: TestDatabase;
  let ingress: ServiceProcess;
  let subscriptions: ServiceProcess;
  const exits = new Map<string, number | null>();

  beforeAll(async () => {
    database = await createTestDatabase('fuzz_hostile_input');
    const ingressPort = await freePort();
    const env = {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
    };
    ingress = new ServiceProcess('ingress', ingressPort, env);
    subscriptions = new ServiceProcess('subscriptions', await freePort(), {
      ...env,
      OPERATOR_API_KEY: operatorKey,
      PUBLIC_INGRESS_URL: `http://127.0.0.1:${ingressPort}`,
      GRPC_PORT: String(await freePort()),
    });
    for (const service of [ingress, subscriptions]) {
      service.start();
      void service.exited().then((code) => exits.set(service.name, code));
    }
    await Promise.all([ingress.waitReady(), subscriptions.waitReady()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([ingress?.stop('SIGTERM'), subscriptions?.stop('SIGTERM')]);
    await database?.drop();
    await deleteTopicsWithPrefix(testKafka(), prefix);
  }, 60_000);

  async function admin<T>(
    method: string,
    path: string,
    auth: Record<string, string>,
    body?: unknown,
  ) {
    const res = await fetch(`${subscriptions.url}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async function createBusiness(name: string) {
    const business = await admin<{ id: string; apiKey: { key: string } }>(
      'POST',
      '/v1/businesses',
      { authorization: `Bearer ${operatorKey}` },
      { name },
    );
    return { id: business.id, apiKey: business.apiKey.key };
  }

  it(`answers every one of ${totalRequests.toLocaleString('en')} hostile requests as documented, without crashing or growing`, async () => {
    // given business A with one source of each provider, known to ingress
    const a = await createBusiness('Fuzz A');
    const sources: SourceUnderTest[] = [];
    const bodies: Record<SourceUnderTest['route'], Record<string, unknown>> = {
      meta: { provider: 'meta', appSecret: `meta-${randomUUID()}` },
      connectly: { provider: 'connectly', secret: `connectly-${randomUUID()}` },
      cubeconnect: { provider: 'cubeconnect', secret: `cube-${randomUUID()}` },
      standard: { provider: 'standard' },
      onprem: { provider: 'onprem' },
    };
    for (const [route, body] of Object.entries(bodies) as [
      SourceUnderTest['route'],
      Record<string, unknown>,
    ][]) {
      const created = await admin<{
        id: string;
        secret: { value: string };
        verifyToken: string | null;
      }>('POST', `/v1/businesses/${a.id}/sources`, { 'x-api-key': a.apiKey }, body);
      sources.push({
        route,
        id: created.id,
        secret: created.secret.value,
        verifyToken: created.verifyToken,
      });
    }
    for (const source of sources) {
      await eventually(
        async () => {
          const body = Buffer.from('{"probe":true}');
          const signed = sign(source, body);
          const res = await fetch(
            `${ingress.url}/webhooks/${source.route}/${source.id}${signed.query}`,
            {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...signed.headers },
              body,
            },
          );
          return res.status === 200 ? true : undefined;
        },
        { timeoutMs: 30_000, what: `ingress to know the ${source.route} source` },
      );
    }
    // and business B, which the admin fuzz may change, with a source of its own
    const b = await createBusiness('Fuzz B');
    const bSource = await admin<{ id: string }>(
      'POST',
      `/v1/businesses/${b.id}/sources`,
      { 'x-api-key': b.apiKey },
      { provider: 'meta', appSecret: `meta-${randomUUID()}` },
    );
    const generator = new RequestGenerator(new SeededRandom(seed), {
      sources,
      business: { ...b, sourceIds: [bSource.id] },
      otherBusinessId: a.id,
      operatorKey,
    });
    const rssBefore = {
      ingress: await residentBytes(ingress),
      subscriptions: await residentBytes(subscriptions),
    };

    // when the generated requests are sent, 20 at a time
    const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
    const counts = new Map<string, Map<number, number>>();
    const violations: string[] = [];
    const notes = new Map<string, number>();
    let violationCount = 0;
    let sent = 0;
    // sampled under load: growth that goes on in the second half would suggest a leak
    const rssTaken: Promise<{ ingress: number; subscriptions: number }>[] = [];
    const started = Date.now();
    const worker = async () => {
      while (sent < totalRequests) {
        sent++;
        if (sent % Math.floor(totalRequests / rssSamples) === 0) {
          rssTaken.push(
            Promise.all([residentBytes(ingress), residentBytes(subscriptions)]).then(([i, s]) => ({
              ingress: i,
              subscriptions: s,
            })),
          );
        }
        const r = generator.next();
        const service = r.service === 'ingress' ? ingress : subscriptions;
        const answer = await send(agent, service.url, r);
        const byStatus = counts.get(r.category) ?? new Map<number, number>();
        byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
        counts.set(r.category, byStatus);
        const verdict = judge(r, answer);
        if (verdict.note) notes.set(verdict.note, (notes.get(verdict.note) ?? 0) + 1);
        if (verdict.violation) {
          violationCount++;
          if (violations.length < 40 || (answer.status >= 500 && violations.length < 60)) {
            violations.push(
              `[${r.category}] ${r.method} ${r.path.slice(0, 160)} → ${verdict.violation}`,
            );
          }
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const seconds = (Date.now() - started) / 1000;
    agent.destroy();

    // then both services are still alive and live
    const rssAfter = {
      ingress: await residentBytes(ingress),
      subscriptions: await residentBytes(subscriptions),
    };
    const rss = [...(await Promise.all(rssTaken)), rssAfter];
    const firstThreeQuarters = rss.slice(0, Math.ceil((rss.length * 3) / 4));
    const peakBeforeLastQuarter = {
      ingress: Math.max(...firstThreeQuarters.map((r) => r.ingress)),
      subscriptions: Math.max(...firstThreeQuarters.map((r) => r.subscriptions)),
    };
    const peak = {
      ingress: Math.max(...rss.map((r) => r.ingress)),
      subscriptions: Math.max(...rss.map((r) => r.subscriptions)),
    };
    const summary = [
      `hostile input: ${sent} requests in ${seconds.toFixed(1)} s (seed ${seed}, ${inFlight} in flight)`,
      ...[...counts.entries()]
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([category, byStatus]) => {
          const statuses = [...byStatus.entries()]
            .sort(([x], [y]) => x - y)
            .map(([s, n]) => `${s}×${n}`);
          const total = [...byStatus.values()].reduce((sum, n) => sum + n, 0);
          return `  ${category.padEnd(28)} ${String(total).padStart(5)}  ${statuses.join(' ')}`;
        }),
      `  RSS before, then every ${Math.floor(totalRequests / rssSamples)} requests, after:`,
      `    ingress       ${[rssBefore, ...rss].map((r) => mib(r.ingress)).join(' → ')}`,
      `    subscriptions ${[rssBefore, ...rss].map((r) => mib(r.subscriptions)).join(' → ')}`,
      ...[...notes.entries()].map(([note, n]) => `  accepted, ${note}: ${n}`),
      `  violations: ${violationCount}`,
      ...violations.map((v) => `    ${v}`),
    ];
    if (violationCount > 0) {
      // the services' own account of what went wrong (error-level JSON log lines)
      for (const service of [ingress, subscriptions]) {
        const errors = service.logs.split('\n').filter((l) => l.includes('"level":50'));
        summary.push(`  ${service.name} error log lines: ${errors.length}`);
        summary.push(...errors.slice(0, 5).map((l) => `    ${l.slice(0, 1500)}`));
      }
    }
    process.stdout.write(`${summary.join('\n')}\n`);
    expect(exits.size).toBe(0);
    for (const service of [ingress, subscriptions]) {
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    }
    // and every answer was one the documentation allows, memory stayed bounded
    expect(violations).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(totalRequests);
    for (const name of ['ingress', 'subscriptions'] as const) {
      expect(peak[name] - rssBefore[name]).toBeLessThan(rssGrowthLimitBytes);
      expect(peak[name] - peakBeforeLastQuarter[name]).toBeLessThan(rssLastQuarterLimitBytes);
    }
  }, 900_000);
});
