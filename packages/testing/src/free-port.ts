import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Where ports are picked: below the kernel's ephemeral range. A port the kernel hands out for
 * `listen(0)` comes from that range, which outgoing connections draw from too, so between the
 * check and the service's own bind a busy test (many Kafka and HTTP clients) could take it; a
 * port below the range is only ever taken by a bind, which the check sees.
 */
function pickRange(): { low: number; high: number } {
  let ephemeralStart = 32768;
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (start && Number.isInteger(start)) ephemeralStart = start;
  } catch {
    // not Linux: the usual default
  }
  const high = ephemeralStart - 1;
  return { low: Math.max(10_000, high - 12_000), high };
}

const range = pickRange();
/** Ports this process handed out: never twice, even before the first one is bound. */
const handedOut = new Set<number>();

/** Resolves with `port` when nothing listens on it on 127.0.0.1 (0: any port), else with null. */
function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address && typeof address === 'object' ? address.port : null));
    });
  });
}

/**
 * A port on 127.0.0.1 that nothing listens on at the moment, below the ephemeral range (see
 * `pickRange`), and not handed out before by this process.
 */
export async function freePort(): Promise<number> {
  if (range.high > range.low) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = range.low + Math.floor(Math.random() * (range.high - range.low + 1));
      if (handedOut.has(port)) continue;
      if ((await tryListen(port)) === port) {
        handedOut.add(port);
        return port;
      }
    }
  }
  const port = await tryListen(0);
  if (port === null) throw new Error('No free port on 127.0.0.1');
  handedOut.add(port);
  return port;
}
