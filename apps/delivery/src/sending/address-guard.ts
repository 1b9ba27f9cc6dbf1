import ipaddr from 'ipaddr.js';
import { AddressRefusedError } from './sending.errors';

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** One entry of `ADDRESS_ALLOWLIST`: a CIDR range, one IP address, a host name or `*.domain`. */
export type AllowlistEntry =
  | { readonly kind: 'range'; readonly text: string; readonly range: [IpAddress, number] }
  | { readonly kind: 'host'; readonly text: string; readonly host: string }
  | { readonly kind: 'domain'; readonly text: string; readonly suffix: string };

const hostLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function isHostName(value: string): boolean {
  return value.length <= 253 && value.split('.').every((label) => hostLabel.test(label));
}

/**
 * Reads one allowlist entry (`10.0.0.0/8`, `127.0.0.1`, `::1`, `hooks.internal`,
 * `*.internal.example`); a message saying what is wrong when it is none of these.
 */
export function parseAllowlistEntry(text: string): AllowlistEntry | string {
  const value = text.trim().toLowerCase();
  if (value.includes('/')) {
    try {
      const [address, bits] = ipaddr.parseCIDR(value);
      const mapped = isMapped(address);
      return {
        kind: 'range',
        text: value,
        range: [unmapped(address), mapped ? Math.max(0, bits - 96) : bits],
      };
    } catch {
      return `"${text}" is not a valid CIDR range`;
    }
  }
  const bare = stripBrackets(value);
  if (ipaddr.isValid(bare)) {
    const address = unmapped(ipaddr.parse(bare));
    return { kind: 'range', text: value, range: [address, address.kind() === 'ipv4' ? 32 : 128] };
  }
  if (value.startsWith('*.') && isHostName(value.slice(2))) {
    return { kind: 'domain', text: value, suffix: value.slice(1) };
  }
  if (isHostName(value)) return { kind: 'host', text: value, host: value };
  return `"${text}" is neither a CIDR range, an IP address nor a host name`;
}

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
};

/**
 * Decides, at send time, whether a connection may be made to an address: only public unicast
 * addresses, unless the operator's allowlist covers the host name or the address. Private,
 * loopback, link-local, unique-local, CGNAT, multicast, reserved and IPv4-embedding IPv6 ranges
 * are refused, so a subscriber cannot make Switchboard call into its own network, also not by a
 * DNS answer that changes after the subscription was checked.
 */
export class AddressGuard {
  constructor(private readonly allowlist: readonly AllowlistEntry[] = []) {}

  /** True when the operator allowlisted the host by name: its addresses are not checked. */
  hostAllowed(host: string): boolean {
    const name = stripBrackets(host).toLowerCase();
    return this.allowlist.some(
      (entry) =>
        (entry.kind === 'host' && entry.host === name) ||
        (entry.kind === 'domain' && name.endsWith(entry.suffix)),
    );
  }

  /** Null when a connection to `address` (which `host` resolved to) may be made. */
  check(host: string, address: string): AddressRefusedError | null {
    if (this.hostAllowed(host)) return null;
    let parsed: IpAddress;
    try {
      parsed = unmapped(ipaddr.parse(stripBrackets(address)));
    } catch {
      return new AddressRefusedError(host, address, 'not an IP address');
    }
    const range = parsed.range();
    if (range === 'unicast') return null;
    const allowed = this.allowlist.some(
      (entry) =>
        entry.kind === 'range' &&
        entry.range[0].kind() === parsed.kind() &&
        parsed.match(entry.range),
    );
    if (allowed) return null;
    return new AddressRefusedError(host, address, `a ${rangeNames[range] ?? range} address`);
  }

  /** The first refusal among every address a host resolved to; null when all may be used. */
  checkAll(host: string, addresses: readonly string[]): AddressRefusedError | null {
    if (addresses.length === 0) return new AddressRefusedError(host, '', 'no addresses');
    for (const address of addresses) {
      const refusal = this.check(host, address);
      if (refusal) return refusal;
    }
    return null;
  }
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function isMapped(address: IpAddress): address is ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress();
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries. */
function unmapped(address: IpAddress): IpAddress {
  return isMapped(address) ? address.toIPv4Address() : address;
}
