import type { LookupAddress } from 'node:dns';
import { type AllowlistEntry, parseAllowlistEntry } from '@switchboard/address-policy';
import { AddressGuard } from './address-guard';
import { guardedConnector, guardedLookup, type Resolver } from './guarded-connector';
import { AddressRefusedError } from './sending.errors';

function allowlist(...items: string[]): AllowlistEntry[] {
  return items.map((item) => {
    const entry = parseAllowlistEntry(item);
    if (typeof entry === 'string') throw new Error(entry);
    return entry;
  });
}

// The rules themselves (which ranges, which allowlist forms) are specified in
// @switchboard/address-policy; here, how delivery applies them to connections.
describe(AddressGuard.name, () => {
  const guard = new AddressGuard();

  it('refuses private, loopback and IPv4-embedding addresses with what they are', () => {
    expect(guard.check('10.0.0.1', '10.0.0.1', 443)?.message).toBe(
      'address refused: "10.0.0.1" is a private address',
    );
    expect(guard.check('hooks.example', '::a00:1', 443)?.message).toBe(
      'address refused: "hooks.example" resolved to ::a00:1, a IPv4-compatible IPv6 address',
    );
    expect(guard.check('8.8.8.8', '8.8.8.8', 443)).toBeNull();
  });

  it('accepts what the allowlist covers, by range, address or host name, at its port only', () => {
    const allowing = new AddressGuard(
      allowlist('127.0.0.1/32', '10.1.0.0/16', 'hooks.internal', '10.9.0.1:8443'),
    );
    expect(allowing.check('127.0.0.1', '127.0.0.1', 80)).toBeNull();
    expect(allowing.check('10.1.2.3', '10.1.2.3', 443)).toBeNull();
    expect(allowing.check('hooks.internal', '10.9.9.9', 443)).toBeNull();
    expect(allowing.check('10.9.0.1', '10.9.0.1', 8443)).toBeNull();
    // but nothing beyond it
    expect(allowing.check('127.0.0.2', '127.0.0.2', 80)).toBeInstanceOf(AddressRefusedError);
    expect(allowing.check('10.2.0.1', '10.2.0.1', 443)).toBeInstanceOf(AddressRefusedError);
    expect(allowing.check('10.9.0.1', '10.9.0.1', 443)).toBeInstanceOf(AddressRefusedError);
  });

  it('refuses a host when any one of its addresses is refused', () => {
    expect(guard.checkAll('mixed.example', ['93.184.215.14', '10.0.0.1'], 443)).toBeInstanceOf(
      AddressRefusedError,
    );
    expect(guard.checkAll('public.example', ['93.184.215.14', '8.8.4.4'], 443)).toBeNull();
    expect(guard.checkAll('empty.example', [], 443)).toBeInstanceOf(AddressRefusedError);
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
    guardedLookup(guard, 443, resolver(answers)) as unknown as (
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

  it('lets an allowlisted address through at its port only', async () => {
    const connect = guardedConnector(new AddressGuard(allowlist('127.0.0.1:9')));
    const attempt = (port: string) =>
      new Promise<Error | null>((done) =>
        connect({ hostname: '127.0.0.1', protocol: 'http:', port }, (err, socket) => {
          socket?.destroy();
          done(err);
        }),
      );
    // port 9 is allowed (nothing listens there: the socket is opened and refused by the OS)
    expect(await attempt('9')).not.toBeInstanceOf(AddressRefusedError);
    expect(await attempt('80')).toBeInstanceOf(AddressRefusedError);
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
