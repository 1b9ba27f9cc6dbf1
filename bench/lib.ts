/**
 * Shared pieces of `npm run bench`: child processes that are always cleaned up, HTTP load
 * generators (closed loop and fixed rate, on undici keep-alive pools), percentiles and signed Meta
 * webhook bodies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '@switchboard/testing';
import { Pool } from 'undici';

export const root = repoRoot(__dirname);

// ---------------------------------------------------------------------------------------------
// Child processes stay in this process group (so Ctrl-C reaches them too); whatever is still
// running when this process exits is killed.

const children = new Set<ChildProcess>();

function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}

process.on('exit', () => {
  for (const child of children) signalChild(child, 'SIGKILL');
});

export interface Child {
  readonly process: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function startChild(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  { echo = false } = {},
): Child {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const collect = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
    if (echo) process.stderr.write(d);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    });
    child.on('error', () => {
      children.delete(child);
      resolve(null);
    });
  });
  return {
    process: child,
    output: () => out,
    exited,
    stop: async (graceMs = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalChild(child, 'SIGTERM');
      const timer = setTimeout(() => signalChild(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Ends every child still running (used on failure and on SIGINT/SIGTERM). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      signalChild(child, 'SIGTERM');
      const done = new Promise((r) => child.once('exit', r));
      const timer = setTimeout(() => signalChild(child, 'SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    }),
  );
}

/** A built service (`apps/<name>/dist/main.js`) as its own process, listening on 127.0.0.1. */
export function startService(name: string, port: number, env: Record<string, string>): Child {
  return startChild(process.execPath, [join(root, 'apps', name, 'dist', 'main.js')], {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
  });
}

export async function waitHttp(
  url: string,
  child: Child,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new Error(
        `${what} exited (${child.process.exitCode}):\n${child.output().slice(-2000)}`,
      );
    }
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === 200) return;
    await sleep(200);
  }
  throw new Error(`Timed out waiting for ${what}:\n${child.output().slice(-2000)}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object'
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Topic prefixes this run created, deleted at the end even when the run is interrupted. */
export const createdPrefixes = new Set<string>();

/** Databases this run created, dropped at the end even when the run is interrupted. */
export const createdDatabases = new Set<{ name: string; drop(): Promise<void> }>();

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Percentiles

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentiles(values: ArrayLike<number>): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number =>
    sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

// ---------------------------------------------------------------------------------------------
// Signed Meta webhooks

export const metaIds = {
  healthy: { waba: '102290129340398', phone: '106540352242922', display: '15550783881' },
  blackHoled: { waba: '203391230451409', phone: '207651463353033', display: '15550783992' },
};

const filler =
  'Hi! I ordered the blue trainers last week (order #A-48213) and the tracking page still says ' +
  '"label created". Could you check whether it has left the warehouse? I need them by Friday for a ' +
  'race, otherwise I would like to switch to express shipping or pick them up in the store on ' +
  'Main Street. Thanks a lot — ¿también tienen la talla 43 en azul? 🙂 ';

/** A Meta Cloud API webhook with one inbound text message, about 2 KB, carrying `wamid`. */
export function metaBody(wamid: string, ids = metaIds.healthy): Buffer {
  const payload = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: ids.waba,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: ids.display, phone_number_id: ids.phone },
              contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
              messages: [
                {
                  context: {
                    from: ids.display,
                    id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QTRBNjU5OUFFRTAzODEwMTQ0RgA=',
                  },
                  from: '16505551234',
                  id: wamid,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: filler + filler + filler + filler + filler.slice(0, 120) },
                },
              ],
            },
          },
        ],
      },
    ],
  };
  return Buffer.from(JSON.stringify(payload));
}

export function metaHeaders(secret: string, body: Buffer): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Load generators

export interface ClosedLoopResult {
  seconds: number;
  ok: number;
  errors: number;
  perSecond: number;
  latency: Percentiles;
}

/**
 * `connections` keep-alive connections, each sending its next request as soon as the previous one
 * is answered, for `seconds`. Latency and throughput count 200 answers only.
 */
export async function closedLoop(
  origin: string,
  path: string,
  requests: readonly { body: Buffer; headers: Record<string, string> }[],
  { connections, seconds }: { connections: number; seconds: number },
): Promise<ClosedLoopResult> {
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  async function worker(): Promise<void> {
    while (performance.now() < end) {
      const request = requests[next++ % requests.length]!;
      const t0 = performance.now();
      try {
        const res = await pool.request({
          path,
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        await res.body.dump();
        if (res.statusCode === 200) latencies.push(performance.now() - t0);
        else errors++;
      } catch {
        errors++;
      }
    }
  }
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return {
    seconds: elapsed,
    ok: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    latency: percentiles(latencies),
  };
}

export interface FixedRateResult {
  seconds: number;
  sent: number;
  ok: number;
  errors: number;
  /** 200 answers per second over the sending window. */
  achievedPerSecond: number;
  /** When each request got its 200, by key (performance.now()). */
  ackedAt: Map<string, number>;
  ackLatency: Percentiles;
}

/**
 * An open-loop generator: request i is due at start + i / rate, whatever the answers do (so a slow
 * server shows up as latency, not as a lower offered rate). Several streams may share one run.
 */
export async function fixedRate(
  streams: readonly {
    origin: string;
    path: string;
    rate: number;
    make: (i: number) => { key: string; body: Buffer; headers: Record<string, string> };
  }[],
  seconds: number,
  connections = 256,
): Promise<FixedRateResult[]> {
  const started = performance.now();
  const end = started + seconds * 1000;
  const results = await Promise.all(
    streams.map(async (stream) => {
      const pool = new Pool(stream.origin, {
        connections,
        pipelining: 1,
        keepAliveTimeout: 60_000,
      });
      const ackedAt = new Map<string, number>();
      const latencies: number[] = [];
      const inFlight = new Set<Promise<void>>();
      let sent = 0;
      let errors = 0;
      const total = Math.round(stream.rate * seconds);
      const fire = (i: number): void => {
        const { key, body, headers } = stream.make(i);
        const t0 = performance.now();
        const p = pool
          .request({ path: stream.path, method: 'POST', headers, body })
          .then(async (res) => {
            await res.body.dump();
            const t1 = performance.now();
            if (res.statusCode === 200) {
              ackedAt.set(key, t1);
              latencies.push(t1 - t0);
            } else errors++;
          })
          .catch(() => void errors++)
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      };
      while (sent < total) {
        const now = performance.now();
        if (now >= end + 1000) break;
        const due = Math.min(total, Math.floor(((now - started) / 1000) * stream.rate) + 1);
        while (sent < due) fire(sent++);
        await new Promise((r) => setImmediate(r));
        await sleep(1);
      }
      const sendSeconds = (performance.now() - started) / 1000;
      await Promise.all(inFlight);
      await pool.close();
      return {
        seconds: sendSeconds,
        sent,
        ok: ackedAt.size,
        errors,
        achievedPerSecond: ackedAt.size / Math.max(sendSeconds, seconds),
        ackedAt,
        ackLatency: percentiles(latencies),
      };
    }),
  );
  return results;
}
