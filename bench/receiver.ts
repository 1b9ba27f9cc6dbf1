/**
 * A subscriber endpoint for the end-to-end benchmark, in its own process so that its work does
 * not share an event loop with the load generator. Started by `bench/e2e.ts` with an IPC channel;
 * `RECEIVER_MODE` says what it is:
 *
 *   ok         answers 200 at once and reports every benchmark message id it receives
 *   fail       answers 500 to everything (so the delivery service schedules retries)
 *   blackhole  accepts TCP connections and never answers
 *   sink       answers 200 at once and reports nothing but its request count (the flooding
 *              business of the flood benchmark: thousands of requests a second, not measured)
 *
 * Messages to the parent: `{type: 'ready', port}` once listening; `{type: 'receipts', ids, at}`
 * every 20 ms while ids arrive (`at[i]`: when `ids[i]` arrived, ms on the machine's monotonic
 * clock, the clock the generator stamps acknowledgements with); `{type: 'stats', requests,
 * connections}` every second. It exits when the parent goes away.
 */
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';

const mode = process.env.RECEIVER_MODE ?? 'ok';
const idPattern = /wamid\.bench-[a-z0-9]+-\d+/g;
const monoMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;
const send = (message: unknown): void => {
  if (process.connected) process.send?.(message);
};

let ids: string[] = [];
let at: number[] = [];
let requests = 0;
let connections = 0;

function flush(): void {
  if (ids.length === 0) return;
  send({ type: 'receipts', ids, at });
  ids = [];
  at = [];
}

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
    if (mode === 'sink') {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
      return;
    }
    if (mode === 'fail') {
      req.resume();
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"bench"}');
      });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = monoMs();
      // latin1: the ids are ASCII, and decoding UTF-8 would only cost time.
      const found = Buffer.concat(chunks).toString('latin1').match(idPattern) ?? [];
      // An event may carry its message id more than once; one receipt per id and request.
      for (const id of found.length > 1 ? new Set(found) : found) {
        ids.push(id);
        at.push(now);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  http.keepAliveTimeout = 60_000;
  server = http;
}
server.on('connection', () => connections++);

setInterval(flush, 20).unref();
setInterval(() => send({ type: 'stats', requests, connections }), 1000).unref();

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
