/**
 * The crash suite's subscriber endpoint, in its own process so that receiving a thousand
 * deliveries a second never shares an event loop with the load generator. Node runs this file
 * directly (type stripping), so it holds erasable TypeScript only and imports only `node:`
 * modules.
 *
 * For each request it finds the first chaos message id in the body (a byte search, no JSON
 * parsing), answers 200 and reports `<message id> <webhook-id> <status>` to the parent. With
 * `CHAOS_FAIL_FIRST_EVERY=n`, the first request for every n-th message (its number divisible by
 * n) is answered 500 instead, so that its delivery is retried. Messages to the
 * parent: `{type: 'ready', port}` once listening; `{type: 'deliveries', deliveries}` every 50 ms
 * while requests arrive; `{type: 'flushed', requests, withoutId}` in answer to `{type: 'flush'}`
 * (after every delivery received so far has been reported: IPC keeps the order). It exits when
 * the parent goes away.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const marker = Buffer.from('wamid.chaos-');
const idPattern = /^wamid\.chaos-[0-9a-z]+-\d+/;

let deliveries: string[] = [];
const failFirstEvery = Number(process.env.CHAOS_FAIL_FIRST_EVERY ?? 0);
const failedOnce = new Set<string>();
let requests = 0;
let withoutId = 0;

const send = (message: unknown): void => {
  if (process.connected) process.send?.(message);
};

function flush(): void {
  if (deliveries.length === 0) return;
  send({ type: 'deliveries', deliveries });
  deliveries = [];
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const at = body.indexOf(marker);
    // latin1 over a short slice: the ids are ASCII, and decoding the whole body would only cost.
    const id = at < 0 ? null : idPattern.exec(body.toString('latin1', at, at + 64));
    requests++;
    let status = 200;
    if (id && failFirstEvery > 0 && !failedOnce.has(id[0])) {
      const number = Number(id[0].slice(id[0].lastIndexOf('-') + 1));
      if (number % failFirstEvery === 0) {
        failedOnce.add(id[0]);
        status = 500;
      }
    }
    if (id) deliveries.push(`${id[0]} ${String(req.headers['webhook-id'] ?? '')} ${status}`);
    else withoutId++;
    res.writeHead(status, { 'content-type': 'application/json' }).end(`{"ok":${status === 200}}`);
  });
});
server.keepAliveTimeout = 60_000;

setInterval(flush, 50).unref();

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
  process.exit(0);
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
