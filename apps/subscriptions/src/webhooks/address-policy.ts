import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** One entry of `ADDRESS_ALLOWLIST`: a CIDR range, one IP address, a host name or `*.domain`. */
export type AllowlistEntry =
  | {
      readonly kind: 'range';
      readonly text: string;
      readonly range: [ipaddr.IPv4 | ipaddr.IPv6, number];
    }
  | { readonly kind: 'host'; readonly text: string; readonly host: string }
  | { readonly kind: 'domain'; readonly text: string; readonly suffix: string };

const hostLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function isHostName(value: string): boolean {
  return value.length <= 253 && value.split('.').every((label) => hostLabel.test(label));
}

/**
 * Reads one allowlist entry; a message saying what is wrong when it is none of the accepted forms
 * (`10.0.0.0/8`, `127.0.0.1`, `::1`, `hooks.internal`, `*.internal.example`).
 */
export function parseAllowlistEntry(text: string): AllowlistEntry | string {
  const value = text.trim().toLowerCase();
  if (value.includes('/')) {
    if (!strictIp(value.slice(0, value.indexOf('/')))) return `"${text}" is not a valid CIDR range`;
    try {
      const [address, bits] = ipaddr.parseCIDR(value);
      return {
        kind: 'range',
        text: value,
        range: [unmapped(address), unmappedBits(address, bits)],
      };
    } catch {
      return `"${text}" is not a valid CIDR range`;
    }
  }
  const bare = value.replace(/^\[(.*)\]$/, '$1');
  if (strictIp(bare)) {
    const address = unmapped(ipaddr.parse(bare));
    return {
      kind: 'range',
      text: value,
      range: [address, address.kind() === 'ipv4' ? 32 : 128],
    };
  }
  if (value.startsWith('*.') && isHostName(value.slice(2))) {
    return { kind: 'domain', text: value, suffix: value.slice(1) };
  }
  if (isHostName(value)) return { kind: 'host', text: value, host: value };
  return `"${text}" is neither a CIDR range, an IP address nor a host name`;
}

/** A full IPv4 dotted quad or an IPv6 address (not the legacy short IPv4 forms like `10.1`). */
function strictIp(value: string): boolean {
  return value.includes(':')
    ? ipaddr.IPv6.isValid(value)
    : ipaddr.IPv4.isValidFourPartDecimal(value);
}

/** Why an address was refused: a stable code and a message that says what to change. */
export interface AddressRefusal {
  readonly code: 'address_invalid' | 'address_not_allowed' | 'address_unresolvable';
  readonly message: string;
}

export interface AddressPolicyOptions {
  /** Plain `http:` addresses are accepted only when this is true (local development, tests). */
  allowHttp: boolean;
  allowlist: readonly AllowlistEntry[];
  /** Resolves a host name to every address it has. Default: `dns.lookup` with `all: true`. */
  resolve?: (host: string) => Promise<string[]>;
  /** How long a DNS lookup may take. */
  lookupTimeoutMs?: number;
}

export const MAX_ADDRESS_LENGTH = 2048;

async function systemResolve(host: string): Promise<string[]> {
  const answers = await lookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

/**
 * Decides whether a subscriber address may receive webhooks: HTTPS (HTTP only when allowed), no
 * credentials in the URL, and every address the host resolves to public, unless the operator's
 * allowlist covers the host or the address. Private, loopback, link-local, unique-local, CGNAT,
 * multicast, reserved and IPv4-embedding IPv6 ranges are refused: a subscriber must not be able
 * to make Switchboard call into its own network.
 */
export class AddressPolicy {
  private readonly resolve: (host: string) => Promise<string[]>;
  private readonly lookupTimeoutMs: number;

  constructor(private readonly options: AddressPolicyOptions) {
    this.resolve = options.resolve ?? systemResolve;
    this.lookupTimeoutMs = options.lookupTimeoutMs ?? 3_000;
  }

  /** Null when the address is acceptable, otherwise why it is not. */
  async check(address: string): Promise<AddressRefusal | null> {
    const syntax = this.checkSyntax(address);
    if (!(syntax instanceof URL)) return syntax;
    const host = syntax.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (this.hostAllowlisted(host)) return null;
    let addresses: string[];
    if (ipaddr.isValid(host)) {
      addresses = [host];
    } else {
      try {
        addresses = await withTimeout(this.resolve(host), this.lookupTimeoutMs);
      } catch (err) {
        return {
          code: 'address_unresolvable',
          message: `address: host "${host}" does not resolve (${err instanceof Error ? err.message : String(err)})`,
        };
      }
      if (addresses.length === 0) {
        return {
          code: 'address_unresolvable',
          message: `address: host "${host}" has no addresses`,
        };
      }
    }
    for (const text of addresses) {
      const refusal = this.checkIp(host, text);
      if (refusal) return refusal;
    }
    return null;
  }

  /** The URL when its form is acceptable; the checks that need no DNS. */
  checkSyntax(address: string): URL | AddressRefusal {
    if (address.length > MAX_ADDRESS_LENGTH) {
      return {
        code: 'address_invalid',
        message: `address: longer than ${MAX_ADDRESS_LENGTH} characters`,
      };
    }
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      return { code: 'address_invalid', message: 'address: not an absolute URL' };
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.options.allowHttp)) {
      return {
        code: 'address_invalid',
        message: this.options.allowHttp
          ? 'address: must use https or http'
          : 'address: must use https',
      };
    }
    if (url.username !== '' || url.password !== '') {
      return {
        code: 'address_invalid',
        message:
          'address: must not carry credentials (user:password@); sign with the webhook secret instead',
      };
    }
    if (url.hash !== '')
      return { code: 'address_invalid', message: 'address: must not have a #fragment' };
    return url;
  }

  private hostAllowlisted(host: string): boolean {
    return this.options.allowlist.some(
      (entry) =>
        (entry.kind === 'host' && entry.host === host) ||
        (entry.kind === 'domain' && host.endsWith(entry.suffix)),
    );
  }

  private checkIp(host: string, text: string): AddressRefusal | null {
    let address: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      address = unmapped(ipaddr.parse(text));
    } catch {
      return {
        code: 'address_unresolvable',
        message: `address: "${host}" resolved to "${text}", not an IP address`,
      };
    }
    const range = address.range();
    if (range === 'unicast') return null;
    const allowed = this.options.allowlist.some(
      (entry) =>
        entry.kind === 'range' &&
        entry.range[0].kind() === address.kind() &&
        address.match(entry.range),
    );
    if (allowed) return null;
    const where = host === text ? `"${host}"` : `"${host}" resolves to ${text}, which`;
    return {
      code: 'address_not_allowed',
      message: `address: ${where} is a ${describeRange(range)} address; only public addresses may receive webhooks unless the operator allowlists them`,
    };
  }
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries. */
function unmapped(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

function unmappedBits(address: ipaddr.IPv4 | ipaddr.IPv6, bits: number): number {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? Math.max(0, bits - 96)
    : bits;
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

function describeRange(range: string): string {
  return rangeNames[range] ?? `non-public (${range})`;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
