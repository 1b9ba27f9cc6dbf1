import { AddressRules, type AllowlistEntry } from '@switchboard/address-policy';
import { AddressRefusedError } from './sending.errors';

/**
 * Decides, at send time, whether a connection may be made to an address, by the same rules the
 * admin API applied when the subscription was registered ({@link AddressRules}): checked again on
 * every connection, so a DNS answer that changes after registration cannot slip through.
 */
export class AddressGuard {
  private readonly rules: AddressRules;

  constructor(allowlist: readonly AllowlistEntry[] = []) {
    this.rules = new AddressRules(allowlist);
  }

  /** True when the operator allowlisted the host by name (at this port): its addresses are not checked. */
  hostAllowed(host: string, port: number): boolean {
    return this.rules.hostAllowed(host, port);
  }

  /** Null when a connection to `address` (which `host` resolved to) at `port` may be made. */
  check(host: string, address: string, port: number): AddressRefusedError | null {
    if (this.rules.hostAllowed(host, port)) return null;
    const what = this.rules.refusal(address, port);
    return what === null ? null : new AddressRefusedError(host, address, what);
  }

  /** The first refusal among every address a host resolved to; null when all may be used. */
  checkAll(host: string, addresses: readonly string[], port: number): AddressRefusedError | null {
    if (addresses.length === 0) return new AddressRefusedError(host, '', 'no addresses');
    for (const address of addresses) {
      const refusal = this.check(host, address, port);
      if (refusal) return refusal;
    }
    return null;
  }
}
