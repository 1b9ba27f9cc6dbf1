import ipaddr from 'ipaddr.js';
import { type AllowlistEntry, type IpAddress, stripBrackets, unmapped } from './allowlist';

const rangeNames: Record<string, string> = {
  private: 'private',
  loopback: 'loopback',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
  carrierGradeNat: 'carrier-grade NAT',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
  ipv4Compatible: 'IPv4-compatible IPv6',
};

/**
 * The range an address falls in, as ipaddr.js names them (`unicast` = public), with one addition:
 * the deprecated IPv4-compatible IPv6 form (`::a.b.c.d`, `::/96` beyond `::` and `::1`), which
 * ipaddr.js calls unicast but which embeds an IPv4 address, is `ipv4Compatible`.
 */
function rangeOf(address: IpAddress): string {
  const range = address.range();
  if (range !== 'unicast' || address.kind() !== 'ipv6') return range;
  const parts = (address as ipaddr.IPv6).parts;
  return parts.slice(0, 6).every((part) => part === 0) ? 'ipv4Compatible' : range;
}

/** The port a URL or connection uses, its protocol's default when none is written. */
export function effectivePort(port: string | number | undefined, protocol: string): number {
  const n = Number(port);
  if (port !== undefined && port !== '' && Number.isInteger(n) && n > 0) return n;
  return protocol === 'http:' ? 80 : 443;
}

/**
 * The operator's allowlist and the rule every outbound address must pass: public unicast, unless
 * the allowlist covers the host by name (then its addresses are not checked) or the address by
 * range; an entry with a port covers that port only. Private, loopback, link-local, unique-local,
 * CGNAT, multicast, reserved and IPv4-embedding IPv6 ranges (mapped, compatible, NAT64, 6to4,
 * Teredo) are refused, so a subscriber cannot make Switchboard call into its own network.
 */
export class AddressRules {
  constructor(readonly allowlist: readonly AllowlistEntry[] = []) {}

  /** True when the operator allowlisted the host by name (at this port). */
  hostAllowed(host: string, port: number): boolean {
    const name = stripBrackets(host).toLowerCase();
    return this.allowlist.some(
      (entry) =>
        (entry.port === null || entry.port === port) &&
        ((entry.kind === 'host' && entry.host === name) ||
          (entry.kind === 'domain' && name.endsWith(entry.suffix))),
    );
  }

  /**
   * Null when a connection to `address` at `port` may be made; otherwise what the address is
   * (`a private address`, `not an IP address`), for the caller's message.
   */
  refusal(address: string, port: number): string | null {
    let parsed: IpAddress;
    try {
      parsed = unmapped(ipaddr.parse(stripBrackets(address)));
    } catch {
      return 'not an IP address';
    }
    const range = rangeOf(parsed);
    if (range === 'unicast') return null;
    const allowed = this.allowlist.some(
      (entry) =>
        entry.kind === 'range' &&
        (entry.port === null || entry.port === port) &&
        entry.range[0].kind() === parsed.kind() &&
        parsed.match(entry.range),
    );
    if (allowed) return null;
    return `a ${rangeNames[range] ?? `non-public (${range})`} address`;
  }
}
