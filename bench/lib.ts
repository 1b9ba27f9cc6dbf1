/**
 * Shared pieces of `npm run bench`: child processes that are always cleaned up, HTTP load
 * generators (closed loop and fixed rate, on undici keep-alive pools), percentiles, a clock shared
 * by every process on the machine, and signed Meta webhook bodies (messages and statuses) built
 * from templates so that a request costs a byte copy and one HMAC.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NO_ANSWER, OpenLoop, repoRoot } from '@switchboard/testing';
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

/** `ipc`: the child gets a Node IPC channel (`process.send`), for children that report figures. */
export function startChild(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  { echo = false, ipc = false } = {},
): Child {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
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

/** The testing package's: a port on 127.0.0.1 nothing listens on at the moment. */
export { freePort } from '@switchboard/testing';

/** Topic prefixes this run created, deleted at the end even when the run is interrupted. */
export const createdPrefixes = new Set<string>();

/** Databases this run created, dropped at the end even when the run is interrupted. */
export const createdDatabases = new Set<{ name: string; drop(): Promise<void> }>();

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Milliseconds on the machine's monotonic clock (`CLOCK_MONOTONIC`), the same in every process:
 * the load generator stamps acknowledgements with it and the receiver process stamps receipts.
 */
export const monoMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

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

export interface MetaIds {
  waba: string;
  phone: string;
  display: string;
}

export const metaIds = {
  healthy: { waba: '102290129340398', phone: '106540352242922', display: '15550783881' },
};

/** The Meta account of the `k`-th benchmark business: distinct WABA, phone number id and number. */
export function metaBusinessIds(k: number): MetaIds {
  return {
    waba: String(102290129340000 + k),
    phone: String(106540352242000 + k),
    display: String(15550780000 + k),
  };
}

const filler =
  'Hi! I ordered the blue trainers last week (order #A-48213) and the tracking page still says ' +
  '"label created". Could you check whether it has left the warehouse? I need them by Friday for a ' +
  'race, otherwise I would like to switch to express shipping or pick them up in the store on ' +
  'Main Street. Thanks a lot — ¿también tienen la talla 43 en azul? 🙂 ';

function metaEnvelope(ids: MetaIds, value: Record<string, unknown>): Buffer {
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
              ...value,
            },
          },
        ],
      },
    ],
  };
  return Buffer.from(JSON.stringify(payload));
}

/** A Meta Cloud API webhook with one inbound text message, about 2 KB, carrying `wamid`. */
export function metaBody(
  wamid: string,
  ids: MetaIds = metaIds.healthy,
  contact = '16505551234',
  timestamp = String(Math.floor(Date.now() / 1000)),
): Buffer {
  return metaEnvelope(ids, {
    contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: contact }],
    messages: [
      {
        context: {
          from: ids.display,
          id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        },
        from: contact,
        id: wamid,
        timestamp,
        type: 'text',
        text: { body: filler + filler + filler + filler + filler.slice(0, 120) },
      },
    ],
  });
}

/**
 * A Meta Cloud API status webhook (`entry[].changes[].value.statuses[]`) for one message this
 * business sent, about 530 B: `wamid` is the message's id, `recipient` the contact.
 */
export function metaStatusBody(
  wamid: string,
  ids: MetaIds = metaIds.healthy,
  recipient = '16505551234',
  status: 'sent' | 'delivered' | 'read' = 'delivered',
  timestamp = String(Math.floor(Date.now() / 1000)),
): Buffer {
  return metaEnvelope(ids, {
    statuses: [
      {
        id: wamid,
        status,
        timestamp,
        recipient_id: recipient,
        conversation: {
          id: '4b4d6a2b8a6f1c6d8e0b0f7a2c2d1e3f',
          origin: { type: 'utility' },
        },
        pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
      },
    ],
  });
}

/**
 * A body split once at its placeholders, so that making a request only joins bytes: `fill` puts
 * `values[k]` wherever `placeholders[k]` stood (each must occur at least once).
 */
export class BodyTemplate {
  private readonly parts: Buffer[] = [];
  private readonly slots: number[] = [];

  constructor(body: Buffer, placeholders: readonly string[]) {
    const text = body.toString('utf8');
    const escaped = placeholders.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    let from = 0;
    for (const m of text.matchAll(new RegExp(escaped.join('|'), 'g'))) {
      this.parts.push(Buffer.from(text.slice(from, m.index)));
      this.slots.push(placeholders.indexOf(m[0]));
      from = m.index + m[0].length;
    }
    this.parts.push(Buffer.from(text.slice(from)));
    placeholders.forEach((p, k) => {
      if (!this.slots.includes(k)) throw new Error(`placeholder ${p} does not occur in the body`);
    });
  }

  fill(values: readonly string[]): Buffer {
    const chunks: Buffer[] = [this.parts[0]!];
    const bytes = values.map((v) => Buffer.from(v));
    for (let i = 0; i < this.slots.length; i++)
      chunks.push(bytes[this.slots[i]!]!, this.parts[i + 1]!);
    return Buffer.concat(chunks);
  }
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

export interface RateStream {
  origin: string;
  /** Requests per second. */
  rate: number;
  /** Request `i`: its key (what the receiver reports back), path, body and headers. */
  make: (i: number) => { key: string; path: string; body: Buffer; headers: Record<string, string> };
  /** Called with the key of each 200 and when it arrived (`monoMs`). */
  onAck?: (key: string, at: number) => void;
}

export interface FixedRateResult {
  rate: number;
  /** Length of the sending window, s. */
  seconds: number;
  /** Requests due in the window (rate × seconds). */
  offered: number;
  sent: number;
  /** Requests due while `maxInFlight` were already waiting for an answer, not sent. */
  skipped: number;
  ok: number;
  /** Answers other than 200, by status code. */
  rejected: Record<number, number>;
  errors: number;
  /** Requests that got no answer: connection errors, and those still waiting `graceMs` after sending ended. */
  unanswered: number;
  /** `monoMs` when sending started. */
  startedAt: number;
  ackLatency: Percentiles;
}

/**
 * The testing package's open-loop generator, a stream each: request i of a stream is due at
 * start + i / rate, whatever the answers do (so a slow server shows up as latency and queueing,
 * not as a lower offered rate). Several streams may share one run, each on its own keep-alive
 * pool. So that a saturated server cannot make the run hang or the generator's memory grow
 * without end, a request due while `maxInFlight` (default: 5 s of the stream's rate) are waiting
 * is skipped (counted), and requests still unanswered `graceMs` after sending ended are abandoned
 * and counted as unanswered.
 */
export async function fixedRate(
  streams: readonly RateStream[],
  seconds: number,
  {
    connections = 256,
    graceMs = 15_000,
    maxInFlight,
  }: { connections?: number; graceMs?: number; maxInFlight?: number } = {},
): Promise<FixedRateResult[]> {
  const startedAt = monoMs();
  return Promise.all(
    streams.map(async (stream) => {
      const latencies: number[] = [];
      // The key of each request waiting for its answer (what the receiver reports back).
      const keys = new Map<number, string>();
      const result = await new OpenLoop({
        url: stream.origin,
        rate: stream.rate,
        seconds,
        request: (i) => {
          const { key, path, body, headers } = stream.make(i);
          keys.set(i, key);
          return { path, body, headers };
        },
        connections,
        giveUp: { afterSendingMs: graceMs },
        maxInFlight: maxInFlight ?? Math.max(2_000, stream.rate * 5),
        stopWhenLateMs: 1_000,
        tickMs: 1,
        pool: {
          keepAliveTimeout: 60_000,
          headersTimeout: graceMs + 5_000,
          bodyTimeout: graceMs + 5_000,
        },
        onAnswer: (i, status, { latencyMs }) => {
          const key = keys.get(i)!;
          keys.delete(i);
          if (status !== 200) return;
          latencies.push(latencyMs);
          stream.onAck?.(key, monoMs());
        },
      }).run();
      const rejected: Record<number, number> = {};
      let ok = 0;
      let errors = 0;
      let unanswered = 0;
      for (const status of result.status) {
        if (status === 200) ok++;
        else if (status === NO_ANSWER) unanswered++;
        else if (status > 0) {
          errors++;
          rejected[status] = (rejected[status] ?? 0) + 1;
        }
      }
      return {
        rate: stream.rate,
        seconds: result.sendSeconds,
        offered: result.offered,
        sent: result.sent,
        skipped: result.skipped,
        ok,
        rejected,
        errors,
        unanswered,
        startedAt,
        ackLatency: percentiles(latencies),
      };
    }),
  );
}
