import type { LookupAddress } from 'node:dns';
import { AddressGuard, type AllowlistEntry, parseAllowlistEntry } from './address-guard';
import { guardedConnector, guardedLookup, type Resolver } from './guarded-connector';
import { AddressRefusedError } from './sending.errors';

function allowlist(...items: string[]): AllowlistEntry[] {
  return items.map((item) => {
    const entry = parseAllowlistEntry(item);
    if (typeof entry === 'string') throw new Error(entry);
    return entry;
  });
}

describe(AddressGuard.name, () => {
  const guard = new AddressGuard();

  it.each([
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['224.0.0.1', 'multicast'],
  ])('refuses %s (%s)', (address, kind) => {
    const refusal = guard.check(address, address);
    expect(refusal).toBeInstanceOf(AddressRefusedError);
    expect(refusal?.message).toContain(kind);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111'])('accepts public %s', (address) => {
    expect(guard.check(address, address)).toBeNull();
  });

  it('accepts what the allowlist covers, by range, address or host name', () => {
    const allowing = new AddressGuard(allowlist('127.0.0.1/32', '10.1.0.0/16', 'hooks.internal'));
    expect(allowing.check('127.0.0.1', '127.0.0.1')).toBeNull();
    expect(allowing.check('10.1.2.3', '10.1.2.3')).toBeNull();
    expect(allowing.check('hooks.internal', '10.9.9.9')).toBeNull();
    // but nothing beyond it
    expect(allowing.check('127.0.0.2', '127.0.0.2')).toBeInstanceOf(AddressRefusedError);
    expect(allowing.check('10.2.0.1', '10.2.0.1')).toBeInstanceOf(AddressRefusedError);
    expect(allowing.check('::1', '::1')).toBeInstanceOf(AddressRefusedError);
  });

  it('refuses a host when any one of its addresses is refused', () => {
    expect(guard.checkAll('mixed.example', ['93.184.215.14', '10.0.0.1'])).toBeInstanceOf(
      AddressRefusedError,
    );
    expect(guard.checkAll('public.example', ['93.184.215.14', '8.8.4.4'])).toBeNull();
  });

  it('names what is wrong with a bad allowlist entry', () => {
    expect(parseAllowlistEntry('10.0.0.0/99')).toMatch(/not a valid CIDR/);
    expect(parseAllowlistEntry('not a host!')).toMatch(/neither/);
  });
});

describe('guardedLookup', () => {
  const resolver =
    (answers: Record<string, string[]>): Resolver =>
    (hostname, _family, callback) =>
      callback(
        null,
        (answers[hostname] ?? []).map((address): LookupAddress => ({
          address,
          family: address.includes(':') ? 6 : 4,
        })),
      );
  const lookup = (guard: AddressGuard, answers: Record<string, string[]>) =>
    guardedLookup(guard, resolver(answers)) as unknown as (
      host: string,
      options: { all?: boolean },
      callback: (err: Error | null, address: unknown, family?: number) => void,
    ) => void;

  function resolve(
    fn: ReturnType<typeof lookup>,
    host: string,
    all: boolean,
  ): Promise<{ err: Error | null; address: unknown; family?: number }> {
    return new Promise((done) =>
      fn(host, { all }, (err, address, family) => done({ err, address, family })),
    );
  }

  it('hands over the addresses of a host that resolves only to public ones', async () => {
    const fn = lookup(new AddressGuard(), { 'hooks.example': ['93.184.215.14'] });
    await expect(resolve(fn, 'hooks.example', false)).resolves.toEqual({
      err: null,
      address: '93.184.215.14',
      family: 4,
    });
    await expect(resolve(fn, 'hooks.example', true)).resolves.toMatchObject({
      err: null,
      address: [{ address: '93.184.215.14', family: 4 }],
    });
  });

  it('fails the connection when the host resolves to a private address (DNS rebinding)', async () => {
    const fn = lookup(new AddressGuard(), { 'rebind.example': ['93.184.215.14', '10.0.0.1'] });
    const { err } = await resolve(fn, 'rebind.example', true);
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(err?.message).toContain('10.0.0.1');
  });
});

describe('guardedConnector', () => {
  it('refuses a private IP literal before opening any socket', async () => {
    // given a connector with no allowlist
    const connect = guardedConnector(new AddressGuard());

    // when asked to connect to 10.0.0.1
    const result = await new Promise<{ err: Error | null; socket: unknown }>((done) =>
      connect({ hostname: '10.0.0.1', protocol: 'http:', port: '80' }, (err, socket) =>
        done({ err, socket }),
      ),
    );

    // then it answers with the refusal and no socket, synchronously checked
    expect(result.socket).toBeNull();
    expect(result.err).toBeInstanceOf(AddressRefusedError);
    expect(result.err?.message).toBe('address refused: "10.0.0.1" is a private address');
  });

  it('refuses a bracketed IPv6 literal as well', async () => {
    const connect = guardedConnector(new AddressGuard());
    const err = await new Promise<Error | null>((done) =>
      connect({ hostname: '[fd00::1]', protocol: 'https:', port: '443' }, (...args) =>
        done(args[0]),
      ),
    );
    expect(err).toBeInstanceOf(AddressRefusedError);
  });
});
