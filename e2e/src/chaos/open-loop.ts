import { createHmac } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

/** The status of a request that got no answer (connection refused or reset, or timed out). */
export const NO_ANSWER = -1;
/** The status of a request not answered yet (or not sent yet). */
const UNSENT = 0;

export interface OpenLoopOptions {
  /**
   * The webhook URL (its origin and path), or one per ingress instance: request `i` goes to
   * `urls[i % urls.length]`, as a load balancer spreading requests evenly would send it.
   */
  url: string | readonly string[];
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** Meta app secret: every body is signed with `X-Hub-Signature-256`. */
  appSecret: string;
  /** A Meta webhook body; `placeholder` (once in it) becomes each request's message id. */
  template: string;
  placeholder: string;
  /** Request `i` carries message id `messageId(i)`. */
  messageId: (i: number) => string;
  /**
   * Keep-alive connections at most (default 256; the pool looks for a free one among all of
   * them on every request, so more cost time).
   */
  connections?: number;
  /**
   * A request unanswered this long after it was due (waiting for a connection included) is given
   * up and counts as no answer (default 10 s).
   */
  timeoutMs?: number;
}

export interface OpenLoopResult {
  /** Requests sent. */
  sent: number;
  /** From the first request to the last, plus one interval, s. */
  sendSeconds: number;
  /** Per request: the HTTP status, or `NO_ANSWER`. */
  status: Int16Array;
  /** Per acknowledged request: the raw webhook id ingress answered with. */
  rawIds: (string | undefined)[];
  /** How late the generator sent a request at worst, ms (timer and event-loop lag). */
  maxLagMs: number;
  /** Requests sent more than 100 ms late. */
  lateOver100Ms: number;
  /** Why requests got no answer: given up at the deadline, or error codes; and how often. */
  errors: Record<string, number>;
}

/**
 * Signed webhooks at a fixed rate, open loop: request i is due at start + i / rate whatever the
 * answers do, so a slow or dead ingress shows up as 503s, no answers and queueing, never as a
 * lower offered rate. One timer wakes every few milliseconds and sends whatever has come due; a
 * request costs one byte copy and one HMAC, and goes out on an undici keep-alive pool. Requests
 * beyond the pool's connections wait for one; so that a stalled ingress cannot pile them up, the
 * requests due in the same second share one abort signal, fired `timeoutMs` after that second
 * (one timer a second, not one per request).
 */
export class OpenLoop {
  /** Per request: the HTTP status, `NO_ANSWER`, or 0 while unanswered (or not sent yet). */
  readonly status: Int16Array;
  /** Acknowledged (200) so far. */
  acknowledged = 0;

  constructor(private readonly options: OpenLoopOptions) {
    this.status = new Int16Array(Math.round(options.rate * options.seconds)).fill(UNSENT);
  }

  async run(): Promise<OpenLoopResult> {
    const { options, status } = this;
    const { rate, appSecret } = options;
    const timeoutMs = options.timeoutMs ?? 10_000;
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
        connectTimeout: timeoutMs,
      }),
      path: url.pathname + url.search,
    }));
    const at = options.template.indexOf(options.placeholder);
    if (at < 0 || options.template.indexOf(options.placeholder, at + 1) >= 0) {
      throw new Error('the placeholder must occur exactly once in the template');
    }
    const head = Buffer.from(options.template.slice(0, at));
    const tail = Buffer.from(options.template.slice(at + options.placeholder.length));

    const total = status.length;
    const rawIds: (string | undefined)[] = new Array<string | undefined>(total);
    const errors: Record<string, number> = {};
    const interval = 1000 / rate;
    const started = performance.now();
    let inFlight = 0;
    let allAnswered: (() => void) | undefined;
    const answered = (): void => {
      if (--inFlight === 0) allAnswered?.();
    };

    const deadlines: NodeJS.Timeout[] = [];
    let deadlineSecond = -1;
    let deadline: AbortSignal | undefined;
    const signalFor = (i: number, now: number): AbortSignal => {
      const second = Math.floor(i / rate);
      if (second !== deadlineSecond || !deadline) {
        deadlineSecond = second;
        const controller = new AbortController();
        setMaxListeners(0, controller.signal);
        const due = started + (second + 1) * 1000 + timeoutMs;
        deadlines.push(setTimeout(() => controller.abort(), Math.max(0, due - now)));
        deadline = controller.signal;
      }
      return deadline;
    };

    const fire = (i: number, now: number): void => {
      const id = Buffer.from(options.messageId(i), 'latin1');
      const body = Buffer.concat([head, id, tail], head.length + id.length + tail.length);
      const signature = createHmac('sha256', appSecret).update(body).digest('hex');
      inFlight++;
      send(i, now, body, signature, 0);
    };

    /**
     * Sends request `i` to its instance; a refused connection (nothing was sent) goes on to the
     * next instance, as a load balancer does, until each has refused it once.
     */
    const send = (i: number, now: number, body: Buffer, signature: string, tried: number): void => {
      const { pool, path } = targets[(i + tried) % targets.length]!;
      pool
        .request({
          path,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': `sha256=${signature}`,
          },
          body,
          signal: signalFor(i, now),
        })
        .then(async (res) => {
          if (res.statusCode !== 200) {
            await res.body.dump();
            status[i] = res.statusCode;
            return;
          }
          // `{"id":"<uuid>"}`: a slice, not a JSON parse.
          const text = await res.body.text();
          const start = text.indexOf('"id":"') + 6;
          rawIds[i] = text.slice(start, start + 36);
          status[i] = 200;
          this.acknowledged++;
        })
        .catch((err: { code?: unknown; name?: string }) => {
          if (err.code === 'ECONNREFUSED' && tried + 1 < targets.length) {
            send(i, now, body, signature, tried + 1);
            return 'resent';
          }
          status[i] = NO_ANSWER;
          // Given up at its deadline (an AbortError), or the connection's error code.
          const code =
            err.name === 'AbortError'
              ? `no answer in ${timeoutMs} ms`
              : typeof err.code === 'string'
                ? err.code
                : (err.name ?? 'error');
          errors[code] = (errors[code] ?? 0) + 1;
          return undefined;
        })
        .then((next) => {
          if (next !== 'resent') answered();
        });
    };

    let lastSentAt = started;
    let next = 0;
    let maxLagMs = 0;
    let lateOver100Ms = 0;
    while (next < total) {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - started) / interval) + 1);
      if (next < due) {
        const lag = now - (started + next * interval);
        if (lag > maxLagMs) maxLagMs = lag;
        for (; next < due; next++) {
          if (now - (started + next * interval) > 100) lateOver100Ms++;
          fire(next, now);
        }
        lastSentAt = now;
      }
      await sleep(2);
    }
    if (inFlight > 0) await new Promise<void>((resolve) => (allAnswered = resolve));
    for (const timer of deadlines) clearTimeout(timer);
    await Promise.all(targets.map((t) => t.pool.close()));
    return {
      sent: total,
      sendSeconds: (lastSentAt - started + interval) / 1000,
      status,
      rawIds,
      maxLagMs,
      lateOver100Ms,
      errors,
    };
  }
}
