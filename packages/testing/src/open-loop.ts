import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

/** The status of a request that got no answer (connection refused or reset, or given up). */
export const NO_ANSWER = -1;
/** The status of a request not sent because `maxInFlight` requests were waiting for answers. */
export const SKIPPED = -2;
/** The status of a request not answered yet (or not sent yet). */
const UNSENT = 0;

/** One request of an open loop: its body and headers, and its path when not the URL's. */
export interface OpenLoopRequest {
  body: Buffer;
  headers: Record<string, string>;
  path?: string;
}

export interface OpenLoopOptions {
  /**
   * The URL (its origin and path), or one per instance of the server: request `i` goes to
   * `urls[i % urls.length]`, as a load balancer spreading requests evenly would send it.
   */
  url: string | readonly string[];
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** Request `i`, made when it is due. */
  request: (i: number) => OpenLoopRequest;
  /**
   * Keep-alive connections at most, shared by the URLs (default 256; the pool looks for a free
   * one among all of them on every request, so more cost time).
   */
  connections?: number;
  /**
   * When a request without an answer is given up and counts as no answer: `perSecondMs` after
   * the second it was due in (waiting for a connection included; the default, 10 s), or
   * `afterSendingMs` after the last request was sent.
   */
  giveUp?: { perSecondMs: number } | { afterSendingMs: number };
  /** Requests due while this many wait for an answer are skipped (default: none is). */
  maxInFlight?: number;
  /** Stops offering requests once sending is this far behind the window's end (default: never). */
  stopWhenLateMs?: number;
  /** How often the generator wakes to send what has come due, ms (default 2). */
  tickMs?: number;
  /** Options of the keep-alive pools over the defaults (no timeouts but the give-up deadline). */
  pool?: Pool.Options;
  /** Reads the body of every 200 and hands it to `onAnswer` (otherwise it is discarded). */
  readAcknowledgedBody?: boolean;
  /**
   * Called once a request is answered or given up: its status (or `NO_ANSWER`), how long the
   * answer took from sending, ms, and the body of a 200 when read.
   */
  onAnswer?: (i: number, status: number, answer: { latencyMs: number; body?: string }) => void;
}

export interface OpenLoopResult {
  /** Requests due in the window (rate × seconds). */
  offered: number;
  sent: number;
  /** Requests due while `maxInFlight` were waiting, not sent. */
  skipped: number;
  /** From the first request to the last, plus one interval, s. */
  sendSeconds: number;
  /** Per request: the HTTP status, `NO_ANSWER`, `SKIPPED`, or 0 when never offered. */
  status: Int16Array;
  /** How late the generator sent a request at worst, ms (timer and event-loop lag). */
  maxLagMs: number;
  /** Requests sent more than 100 ms late. */
  lateOver100Ms: number;
  /** Why requests got no answer: given up at the deadline, or error codes; and how often. */
  errors: Record<string, number>;
}

/**
 * Requests at a fixed rate, open loop: request i is due at start + i / rate whatever the answers
 * do, so a slow or dead server shows up as error answers, no answers and queueing, never as a
 * lower offered rate. One timer wakes every few milliseconds and sends whatever has come due, on
 * an undici keep-alive pool per URL. Requests beyond the pool's connections wait for one; so that
 * a stalled server cannot pile them up, they share abort signals (one a second, or one for the
 * whole run: see `giveUp`) rather than a timer each.
 */
export class OpenLoop {
  /** Per request: the HTTP status, `NO_ANSWER`, `SKIPPED`, or 0 while unanswered (or not sent). */
  readonly status: Int16Array;
  /** Acknowledged (200) so far. */
  acknowledged = 0;

  constructor(private readonly options: OpenLoopOptions) {
    this.status = new Int16Array(Math.round(options.rate * options.seconds)).fill(UNSENT);
  }

  async run(): Promise<OpenLoopResult> {
    const { options, status } = this;
    const { rate } = options;
    const giveUp = options.giveUp ?? { perSecondMs: 10_000 };
    const perSecondMs = 'perSecondMs' in giveUp ? giveUp.perSecondMs : undefined;
    const urls = (typeof options.url === 'string' ? [options.url] : options.url).map(
      (u) => new URL(u),
    );
    const targets = urls.map((url) => ({
      pool: new Pool(url.origin, {
        connections: Math.ceil((options.connections ?? 256) / urls.length),
        pipelining: 1,
        keepAliveTimeout: 30_000,
        // Every request has its deadline (below): no timeouts of the pool's own.
        headersTimeout: 0,
        bodyTimeout: 0,
        ...(perSecondMs === undefined ? {} : { connectTimeout: perSecondMs }),
        ...options.pool,
      }),
      path: url.pathname + url.search,
    }));

    const total = status.length;
    const errors: Record<string, number> = {};
    const interval = 1000 / rate;
    const started = performance.now();
    const windowEnd = started + options.seconds * 1000;
    let inFlight = 0;
    let allAnswered: (() => void) | undefined;
    const answered = (): void => {
      if (--inFlight === 0) allAnswered?.();
    };

    const deadlines: NodeJS.Timeout[] = [];
    const newSignal = (inMs: number): AbortSignal => {
      const controller = new AbortController();
      setMaxListeners(0, controller.signal);
      deadlines.push(setTimeout(() => controller.abort(), Math.max(0, inMs)));
      return controller.signal;
    };
    // Given up after sending ended: one signal, armed when the last request is sent.
    const afterSending = new AbortController();
    setMaxListeners(0, afterSending.signal);
    let deadlineSecond = -1;
    let deadline: AbortSignal | undefined;
    const signalFor = (i: number, now: number): AbortSignal => {
      if (perSecondMs === undefined) return afterSending.signal;
      const second = Math.floor(i / rate);
      if (second !== deadlineSecond || !deadline) {
        deadlineSecond = second;
        deadline = newSignal(started + (second + 1) * 1000 + perSecondMs - now);
      }
      return deadline;
    };
    const noAnswer = (i: number, sentAt: number, code: string): void => {
      status[i] = NO_ANSWER;
      errors[code] = (errors[code] ?? 0) + 1;
      options.onAnswer?.(i, NO_ANSWER, { latencyMs: performance.now() - sentAt });
    };

    /**
     * Sends request `i` to its instance; a refused connection (nothing was sent) goes on to the
     * next instance, as a load balancer does, until each has refused it once.
     */
    const send = (i: number, now: number, request: OpenLoopRequest, tried: number): void => {
      const target = targets[(i + tried) % targets.length]!;
      const sentAt = performance.now();
      target.pool
        .request({
          path: request.path ?? target.path,
          method: 'POST',
          headers: request.headers,
          body: request.body,
          signal: signalFor(i, now),
        })
        .then(async (res) => {
          if (res.statusCode !== 200) {
            await res.body.dump();
            status[i] = res.statusCode;
            options.onAnswer?.(i, res.statusCode, { latencyMs: performance.now() - sentAt });
            return;
          }
          const body = options.readAcknowledgedBody ? await res.body.text() : undefined;
          if (body === undefined) await res.body.dump();
          status[i] = 200;
          this.acknowledged++;
          options.onAnswer?.(i, 200, { latencyMs: performance.now() - sentAt, body });
        })
        .catch((err: { code?: unknown; name?: string }) => {
          if (err.code === 'ECONNREFUSED' && tried + 1 < targets.length) {
            send(i, now, request, tried + 1);
            return 'resent';
          }
          // Given up at its deadline (an AbortError), or the connection's error code.
          noAnswer(
            i,
            sentAt,
            err.name === 'AbortError'
              ? perSecondMs === undefined
                ? 'no answer when sending ended'
                : `no answer in ${perSecondMs} ms`
              : typeof err.code === 'string'
                ? err.code
                : (err.name ?? 'error'),
          );
          return undefined;
        })
        .then((next) => {
          if (next !== 'resent') answered();
        });
    };

    let lastSentAt = started;
    let next = 0;
    let sent = 0;
    let skipped = 0;
    let maxLagMs = 0;
    let lateOver100Ms = 0;
    while (next < total) {
      const now = performance.now();
      if (options.stopWhenLateMs !== undefined && now >= windowEnd + options.stopWhenLateMs) break;
      const due = Math.min(total, Math.floor((now - started) / interval) + 1);
      if (next < due) {
        const lag = now - (started + next * interval);
        if (lag > maxLagMs) maxLagMs = lag;
        for (; next < due; next++) {
          if (now - (started + next * interval) > 100) lateOver100Ms++;
          if (options.maxInFlight !== undefined && inFlight >= options.maxInFlight) {
            status[next] = SKIPPED;
            skipped++;
            continue;
          }
          inFlight++;
          sent++;
          send(next, now, options.request(next), 0);
        }
        lastSentAt = now;
      }
      await sleep(options.tickMs ?? 2);
    }
    if ('afterSendingMs' in giveUp) {
      deadlines.push(setTimeout(() => afterSending.abort(), giveUp.afterSendingMs));
    }
    if (inFlight > 0) await new Promise<void>((resolve) => (allAnswered = resolve));
    for (const timer of deadlines) clearTimeout(timer);
    await Promise.all(targets.map((t) => t.pool.close()));
    return {
      offered: total,
      sent,
      skipped,
      sendSeconds: (lastSentAt - started + interval) / 1000,
      status,
      maxLagMs,
      lateOver100Ms,
      errors,
    };
  }
}
