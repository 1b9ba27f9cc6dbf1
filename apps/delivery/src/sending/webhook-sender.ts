import { performance } from 'node:perf_hooks';
import { RESPONSE_BODY_MAX_CHARS, truncateResponseBody } from '@switchboard/contracts';
import { errorMessage } from '@switchboard/service-kit';
import { Agent, type Dispatcher, request } from 'undici';
import { AddressGuard } from './address-guard';
import { guardedConnector, type Resolver } from './guarded-connector';
import { AddressInvalidError, SendError, type SendFailureCode } from './sending.errors';

export interface WebhookRequest {
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  /** The whole request, body of the answer included, must be done within this. */
  timeoutMs: number;
}

/** What came of one request: an HTTP answer, or why there was none. */
export type WebhookResponse =
  | {
      readonly kind: 'answered';
      readonly statusCode: number;
      /** The answer's body, cut to what a delivery attempt keeps. */
      readonly body: string;
      /** The `Retry-After` header as sent, when there was one. */
      readonly retryAfter: string | null;
      readonly latencyMs: number;
    }
  | {
      readonly kind: 'failed';
      readonly code: SendFailureCode;
      readonly message: string;
      readonly latencyMs: number;
    };

export interface WebhookSenderOptions {
  allowHttp: boolean;
  guard: AddressGuard;
  /** For tests: how host names resolve. */
  resolve?: Resolver;
  /** Idle keep-alive connections are closed after this. */
  keepAliveTimeoutMs?: number;
}

/** Bytes of an answer's body read at most (UTF-8 takes up to 4 bytes a character). */
const MAX_BODY_BYTES = RESPONSE_BODY_MAX_CHARS * 4;

/**
 * Sends webhook requests over one pooled keep-alive HTTP client (undici). Every new connection's
 * address is checked by the SSRF guard before the socket opens; redirects are never followed; an
 * answer's body is read only up to a small bound; one timeout covers the whole exchange.
 */
export class WebhookSender {
  private readonly agent: Agent;
  /** Requests under way, cancelled on close. */
  private readonly running = new Set<AbortController>();
  private closed = false;
  /** Parsed subscriber addresses (the same few addresses are sent to again and again). */
  private readonly urls = new Map<string, URL>();

  constructor(private readonly options: WebhookSenderOptions) {
    this.agent = new Agent({
      connect: guardedConnector(options.guard, { timeout: 10_000 }, options.resolve),
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      keepAliveMaxTimeout: 120_000,
      pipelining: 1,
    });
  }

  async send(webhook: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    // One controller and one timer per request: cheaper than composing AbortSignal.timeout with
    // the shutdown signal through AbortSignal.any on every request.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, webhook.timeoutMs);
    this.running.add(controller);
    try {
      let response: Dispatcher.ResponseData;
      try {
        if (this.closed) throw new SendError('cancelled', 'sender closed');
        const url = this.checkUrl(webhook.url);
        response = await request(url, {
          dispatcher: this.agent,
          method: 'POST',
          headers: webhook.headers,
          body: webhook.body,
          signal: controller.signal,
          headersTimeout: webhook.timeoutMs,
          bodyTimeout: webhook.timeoutMs,
        });
      } catch (err) {
        const failure =
          this.closed && !timedOut
            ? { code: 'cancelled' as const, message: 'cancelled: the service is shutting down' }
            : classify(err, timedOut, webhook.timeoutMs);
        return {
          kind: 'failed',
          code: failure.code,
          message: failure.message,
          latencyMs: elapsed(),
        };
      }
      const body = await readBounded(response.body);
      const retryAfter = response.headers['retry-after'];
      return {
        kind: 'answered',
        statusCode: response.statusCode,
        body: truncateResponseBody(body),
        retryAfter: Array.isArray(retryAfter) ? (retryAfter[0] ?? null) : (retryAfter ?? null),
        latencyMs: elapsed(),
      };
    } finally {
      clearTimeout(timer);
      this.running.delete(controller);
    }
  }

  /** Closes pooled connections; requests still running end as `cancelled`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const controller of this.running) controller.abort();
    await this.agent.destroy();
  }

  private checkUrl(address: string): URL {
    const known = this.urls.get(address);
    if (known) return known;
    const url = this.parseUrl(address);
    if (this.urls.size >= 10_000) this.urls.clear();
    this.urls.set(address, url);
    return url;
  }

  private parseUrl(address: string): URL {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw new AddressInvalidError('address invalid: not an absolute URL');
    }
    if (url.protocol === 'https:') return url;
    if (url.protocol === 'http:' && this.options.allowHttp) return url;
    throw new AddressInvalidError(
      url.protocol === 'http:'
        ? 'address invalid: plain http is not allowed (ALLOW_HTTP_ADDRESSES)'
        : `address invalid: ${url.protocol} is not http(s)`,
    );
  }
}

/** Reads an answer's body up to the bound; what does not arrive in time or in bounds is left. */
async function readBounded(body: Dispatcher.ResponseData['body']): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  let complete = false;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      text += decoder.decode(chunk, { stream: true });
      if (bytes >= MAX_BODY_BYTES || text.length >= RESPONSE_BODY_MAX_CHARS) break;
    }
    complete = body.readableEnded;
  } catch {
    // The status already decides the outcome; a body cut short by the timeout is kept as it is.
  } finally {
    // A body read to its end leaves the connection for the next request; one cut short closes it.
    if (!complete && !body.destroyed) body.destroy();
  }
  return text;
}

function classify(
  err: unknown,
  timedOut: boolean,
  timeoutMs: number,
): { code: SendFailureCode; message: string } {
  if (err instanceof SendError) return { code: err.code, message: err.message };
  const code = (err as { code?: string }).code;
  if (
    timedOut ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return { code: 'timeout', message: `timeout: no answer within ${timeoutMs} ms` };
  }
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof SendError) return { code: cause.code, message: cause.message };
  const message = errorMessage(err);
  if (
    code !== undefined &&
    /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|ETIMEDOUT|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(
      code,
    )
  ) {
    return { code: 'connection_failed', message: `connection failed: ${code} ${message}`.trim() };
  }
  return { code: 'request_failed', message: `request failed: ${message}` };
}
