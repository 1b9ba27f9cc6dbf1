/**
 * A subscriber endpoint in a process of its own, so that receiving thousands of requests a second
 * never shares an event loop with the load generator: the benchmarks' and the chaos suites'. Run
 * it as `node <receiverProcessPath>` with an IPC channel; the environment says what it does:
 *
 *   RECEIVER_MODE        ok (default): answers 200 at once and reports the message ids it finds;
 *                        fail: answers 500 to everything (so deliveries are retried);
 *                        blackhole: accepts TCP connections and never answers;
 *                        sink: answers 200 at once and reports nothing but its request count
 *   RECEIVER_ID_PREFIX   what the message ids start with (`wamid.bench-`): an id is the prefix,
 *                        [0-9a-z]+, a dash and a number
 *   RECEIVER_REPORT      receipts (default): every id of each request and when it arrived (ms on
 *                        the machine's monotonic clock, as the generator stamps its answers),
 *                        `{type: 'receipts', ids, at}` every 20 ms;
 *                        deliveries: the first id of each request (a byte search, no JSON
 *                        parsing) with its webhook-id header and the status it was answered,
 *                        `{type: 'deliveries', deliveries: ['<id> <webhook-id> <status>']}` every
 *                        50 ms
 *   RECEIVER_FAIL_FIRST_EVERY  with deliveries, n: the first request for every n-th message (its
 *                        number divisible by n) is answered 500 instead, so that it is retried
 *
 * Other messages to the parent: `{type: 'ready', port}` once listening; `{type: 'stats', requests,
 * connections}` every second; `{type: 'flushed', requests, withoutId}` in answer to `{type:
 * 'flush'}`, after everything received so far was reported (IPC keeps the order). It exits when
 * the parent goes away or on SIGTERM.
 */
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';

/** Where the receiver process's script is, for `node` to run. */
export const receiverProcessPath = __filename;

type Report = 'receipts' | 'deliveries';

function run(): void {
  const mode = process.env.RECEIVER_MODE ?? 'ok';
  const report: Report = process.env.RECEIVER_REPORT === 'deliveries' ? 'deliveries' : 'receipts';
  const prefix = process.env.RECEIVER_ID_PREFIX ?? 'wamid.';
  const idSyntax = `${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[0-9a-z]+-\\d+`;
  const failFirstEvery = Number(process.env.RECEIVER_FAIL_FIRST_EVERY ?? 0);
  const monoMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;
  const send = (message: unknown): void => {
    if (process.connected) process.send?.(message);
  };

  let requests = 0;
  let connections = 0;
  let withoutId = 0;
  // receipts
  let ids: string[] = [];
  let at: number[] = [];
  // deliveries
  let deliveries: string[] = [];
  const failedOnce = new Set<string>();

  function flush(): void {
    if (report === 'receipts' && ids.length > 0) {
      send({ type: 'receipts', ids, at });
      ids = [];
      at = [];
    } else if (report === 'deliveries' && deliveries.length > 0) {
      send({ type: 'deliveries', deliveries });
      deliveries = [];
    }
  }

  /** Every id of a request, once each, stamped with its arrival; answers 200. */
  const receipts = (pattern: RegExp) => (body: Buffer) => {
    const now = monoMs();
    // latin1: the ids are ASCII, and decoding UTF-8 would only cost time.
    const found = body.toString('latin1').match(pattern) ?? [];
    // An event may carry its message id more than once; one receipt per id and request.
    for (const id of found.length > 1 ? new Set(found) : found) {
      ids.push(id);
      at.push(now);
    }
    if (found.length === 0) withoutId++;
    return 200;
  };

  /** The request's first id with its webhook id and the status answered (200, or 500 on purpose). */
  const delivery = (marker: Buffer, pattern: RegExp) => (body: Buffer, webhookId: string) => {
    const from = body.indexOf(marker);
    // latin1 over a short slice: the ids are ASCII, and decoding the whole body would only cost.
    const id = from < 0 ? null : pattern.exec(body.toString('latin1', from, from + 64));
    if (!id) {
      withoutId++;
      return 200;
    }
    let status = 200;
    if (failFirstEvery > 0 && !failedOnce.has(id[0])) {
      const number = Number(id[0].slice(id[0].lastIndexOf('-') + 1));
      if (number % failFirstEvery === 0) {
        failedOnce.add(id[0]);
        status = 500;
      }
    }
    deliveries.push(`${id[0]} ${webhookId} ${status}`);
    return status;
  };

  const handle =
    report === 'deliveries'
      ? delivery(Buffer.from(prefix), new RegExp(`^${idSyntax}`))
      : receipts(new RegExp(idSyntax, 'g'));

  const sockets = new Set<Socket>();
  let server: ReturnType<typeof createServer> | ReturnType<typeof createTcpServer>;
  if (mode === 'blackhole') {
    server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
  } else {
    const http = createServer((req, res) => {
      requests++;
      if (mode === 'sink' || mode === 'fail') {
        const status = mode === 'sink' ? 200 : 500;
        req.resume();
        req.on('end', () => {
          res
            .writeHead(status, { 'content-type': 'application/json' })
            .end(status === 200 ? '{"ok":true}' : '{"error":"receiver"}');
        });
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const status = handle(body, String(req.headers['webhook-id'] ?? ''));
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(`{"ok":${status === 200}}`);
      });
    });
    http.keepAliveTimeout = 60_000;
    server = http;
  }
  server.on('connection', () => connections++);

  setInterval(flush, report === 'receipts' ? 20 : 50).unref();
  setInterval(() => send({ type: 'stats', requests, connections }), 1000).unref();

  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'flush') return;
    flush();
    send({ type: 'flushed', requests, withoutId });
  });

  server.listen(0, '127.0.0.1', () => {
    send({ type: 'ready', port: (server.address() as AddressInfo).port });
  });

  const stop = (): void => {
    flush();
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  };
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) run();
