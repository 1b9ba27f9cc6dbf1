import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { effectivePort, stripBrackets } from '@switchboard/address-policy';
import { buildConnector } from 'undici';
import type { AddressGuard } from './address-guard';

/** Resolves a host name to every address it has (`dns.lookup` with `all: true` by default). */
export type Resolver = (
  hostname: string,
  family: number,
  callback: (err: Error | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, family, callback) =>
  dnsLookup(hostname, { all: true, family, verbatim: true }, (err, addresses) =>
    callback(err, err ? [] : addresses),
  );

/**
 * A `lookup` for `net.connect` / `tls.connect` that resolves the host itself and hands the socket
 * only addresses the guard accepts: when any address the host resolves to is refused, the
 * connection is not made. The check happens on every new connection, with the very addresses
 * the socket then uses, so a DNS answer that changes between checks cannot slip through.
 */
export function guardedLookup(
  guard: AddressGuard,
  port: number,
  resolve: Resolver = systemResolver,
) {
  const lookup = (
    hostname: string,
    options: { all?: boolean; family?: number | string },
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const family =
      options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
    resolve(hostname, family, (err, addresses) => {
      if (err) return callback(err, []);
      const refusal = guard.hostAllowed(hostname, port)
        ? null
        : guard.checkAll(
            hostname,
            addresses.map((a) => a.address),
            port,
          );
      if (refusal) return callback(refusal, []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
  return lookup as unknown as LookupFunction;
}

/**
 * An undici connector that checks every connection's address with the guard before the socket is
 * opened: IP literals directly (Node does not call `lookup` for them), host names through
 * {@link guardedLookup}. Allowlist entries may name a port, so there is one underlying connector
 * per port (each keeps its own TLS session cache).
 */
export function guardedConnector(
  guard: AddressGuard,
  options: buildConnector.BuildOptions = {},
  resolve?: Resolver,
): buildConnector.connector {
  const byPort = new Map<number, buildConnector.connector>();
  return (opts, callback) => {
    const host = stripBrackets(opts.hostname);
    const port = effectivePort(opts.port, opts.protocol);
    if (isIP(host) !== 0) {
      const refusal = guard.check(host, host, port);
      if (refusal) {
        callback(refusal, null);
        return;
      }
    }
    let connect = byPort.get(port);
    if (!connect) {
      connect = buildConnector({ ...options, lookup: guardedLookup(guard, port, resolve) });
      byPort.set(port, connect);
    }
    connect(opts, callback);
  };
}
