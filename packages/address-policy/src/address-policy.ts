import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { AddressRules, effectivePort } from './address-rules';
import type { AllowlistEntry } from './allowlist';

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
 * Decides, when a subscriber registers it, whether an address may receive webhooks: HTTPS (HTTP
 * only when allowed), no credentials in the URL, and every address the host resolves to passing
 * {@link AddressRules} (delivery applies the same rules again to every connection it opens).
 */
export class AddressPolicy {
  private readonly rules: AddressRules;
  private readonly resolve: (host: string) => Promise<string[]>;
  private readonly lookupTimeoutMs: number;

  constructor(private readonly options: AddressPolicyOptions) {
    this.rules = new AddressRules(options.allowlist);
    this.resolve = options.resolve ?? systemResolve;
    this.lookupTimeoutMs = options.lookupTimeoutMs ?? 3_000;
  }

  /** Null when the address is acceptable, otherwise why it is not. */
  async check(address: string): Promise<AddressRefusal | null> {
    const url = this.checkSyntax(address);
    if (!(url instanceof URL)) return url;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const port = effectivePort(url.port, url.protocol);
    if (this.rules.hostAllowed(host, port)) return null;
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
      const what = this.rules.refusal(text, port);
      if (what === null) continue;
      if (what === 'not an IP address') {
        return {
          code: 'address_unresolvable',
          message: `address: "${host}" resolved to "${text}", not an IP address`,
        };
      }
      const where = host === text ? `"${host}"` : `"${host}" resolves to ${text}, which`;
      return {
        code: 'address_not_allowed',
        message: `address: ${where} is ${what}; only public addresses may receive webhooks unless the operator allowlists them`,
      };
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
    if (url.hash !== '') {
      return { code: 'address_invalid', message: 'address: must not have a #fragment' };
    }
    return url;
  }
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
