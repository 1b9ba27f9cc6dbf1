import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { eventually } from './test-resources';

/** One request a test endpoint received. */
export interface ReceivedRequest {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
  remotePort: number;
}

/** How an endpoint answers: a response, or never (a black hole that accepts and keeps silent). */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | { hang: true };

export type Responder = (request: ReceivedRequest, index: number) => Reply;

export interface TestReceiverOptions {
  /** The port to listen on (default: any free one). */
  port?: number;
  /** The answer on paths without a responder of their own (default: 200 `ok`). */
  reply?: Reply;
}

/**
 * A subscriber endpoint for tests: a node:http server on 127.0.0.1 that records every request
 * and answers per path as told (`options.reply` by default). Each subscription gets its own path.
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly responders = new Map<string, Responder>();
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  port = 0;

  constructor(private readonly options: TestReceiverOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.listen(this.options.port ?? 0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The address of a path on this receiver. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}/${path}`;
  }

  /** Answers requests to `path` with `responder` (given each request and its index on the path). */
  respond(path: string, responder: Responder): void {
    this.responders.set(`/${path}`, responder);
  }

  received(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === `/${path}`);
  }

  async waitFor(path: string, count: number, timeoutMs = 20_000): Promise<ReceivedRequest[]> {
    return eventually(
      () => {
        const got = this.received(path);
        return got.length >= count ? got : undefined;
      },
      { timeoutMs, what: `${count} request(s) on /${path} (got ${this.received(path).length})` },
    );
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const request: ReceivedRequest = {
      path,
      method: req.method ?? '',
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      receivedAt: Date.now(),
      remotePort: req.socket.remotePort ?? 0,
    };
    const index = this.requests.filter((r) => r.path === path).length;
    this.requests.push(request);
    const reply = this.responders.get(path)?.(request, index) ??
      this.options.reply ?? { status: 200, body: 'ok' };
    if ('hang' in reply) return;
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body ?? '');
  }
}
