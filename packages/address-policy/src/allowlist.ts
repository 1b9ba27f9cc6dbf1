import ipaddr from 'ipaddr.js';
import { z } from 'zod';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * One entry of `ADDRESS_ALLOWLIST`: a CIDR range, one IP address, a host name or `*.domain`; an
 * address, host or domain entry may name a port (`hooks.internal:8443`, `[fd00::5]:443`), and then
 * covers that port only.
 */
export type AllowlistEntry =
  | {
      readonly kind: 'range';
      readonly text: string;
      readonly range: [IpAddress, number];
      readonly port: number | null;
    }
  | {
      readonly kind: 'host';
      readonly text: string;
      readonly host: string;
      readonly port: number | null;
    }
  | {
      readonly kind: 'domain';
      readonly text: string;
      readonly suffix: string;
      readonly port: number | null;
    };

const hostLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A DNS host name; one whose last label is all digits is a short IPv4 form (`127.1`), not one. */
function isHostName(value: string): boolean {
  const labels = value.split('.');
  return (
    value.length <= 253 &&
    labels.every((label) => hostLabel.test(label)) &&
    !/^[0-9]+$/.test(labels[labels.length - 1]!)
  );
}

/** A full IPv4 dotted quad or an IPv6 address: never the legacy short forms (`10.1`, `127.1`). */
export function isStrictIp(value: string): boolean {
  return value.includes(':')
    ? ipaddr.IPv6.isValid(value)
    : ipaddr.IPv4.isValidFourPartDecimal(value);
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function isMapped(address: IpAddress): address is ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress();
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries. */
export function unmapped(address: IpAddress): IpAddress {
  return isMapped(address) ? address.toIPv4Address() : address;
}

/** Splits a trailing `:port` off a host, `[IPv6]` or IPv4 entry; a bare IPv6 address has none. */
function splitPort(value: string): { host: string; port: string | null } {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end > 0 && value[end + 1] === ':') {
      return { host: value.slice(0, end + 1), port: value.slice(end + 2) };
    }
    return { host: value, port: null };
  }
  const colon = value.lastIndexOf(':');
  if (colon > 0 && value.indexOf(':') === colon) {
    return { host: value.slice(0, colon), port: value.slice(colon + 1) };
  }
  return { host: value, port: null };
}

function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : null;
}

/**
 * Reads one allowlist entry (`10.0.0.0/8`, `127.0.0.1`, `::1`, `hooks.internal`,
 * `*.internal.example`, any but a range with `:port`); a message saying what is wrong when it is
 * none of these.
 */
export function parseAllowlistEntry(text: string): AllowlistEntry | string {
  const value = text.trim().toLowerCase();
  if (value.includes('/')) {
    const slash = value.indexOf('/');
    if (!isStrictIp(value.slice(0, slash)) || !/^[0-9]{1,3}$/.test(value.slice(slash + 1))) {
      return `"${text}" is not a valid CIDR range (ranges take no port)`;
    }
    try {
      const [address, bits] = ipaddr.parseCIDR(value);
      const mapped = isMapped(address);
      return {
        kind: 'range',
        text: value,
        range: [unmapped(address), mapped ? Math.max(0, bits - 96) : bits],
        port: null,
      };
    } catch {
      return `"${text}" is not a valid CIDR range`;
    }
  }
  const bareIp = stripBrackets(value);
  const split =
    isStrictIp(bareIp) && !value.startsWith('[') ? { host: value, port: null } : splitPort(value);
  let port: number | null = null;
  if (split.port !== null) {
    port = parsePort(split.port);
    if (port === null) return `"${text}" names no valid port (1–65535)`;
  }
  const host = stripBrackets(split.host);
  if (isStrictIp(host)) {
    const address = unmapped(ipaddr.parse(host));
    return {
      kind: 'range',
      text: value,
      range: [address, address.kind() === 'ipv4' ? 32 : 128],
      port,
    };
  }
  if (host.startsWith('*.') && isHostName(host.slice(2))) {
    return { kind: 'domain', text: value, suffix: host.slice(1), port };
  }
  if (isHostName(host)) return { kind: 'host', text: value, host, port };
  return `"${text}" is neither a CIDR range, an IP address nor a host name`;
}

/** `ADDRESS_ALLOWLIST`: comma-separated entries (see {@link parseAllowlistEntry}); every bad one named. */
export const AddressAllowlistSetting = z
  .string()
  .default('')
  .transform((value, ctx): AllowlistEntry[] => {
    const entries: AllowlistEntry[] = [];
    for (const item of value.split(',').map((i) => i.trim())) {
      if (item === '') continue;
      const entry = parseAllowlistEntry(item);
      if (typeof entry === 'string') ctx.addIssue({ code: 'custom', message: entry });
      else entries.push(entry);
    }
    return entries;
  });
