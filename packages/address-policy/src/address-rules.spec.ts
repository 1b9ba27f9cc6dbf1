import { AddressRules, type AllowlistEntry, effectivePort, parseAllowlistEntry } from '.';

function allowlist(...items: string[]): AllowlistEntry[] {
  return items.map((item) => {
    const entry = parseAllowlistEntry(item);
    if (typeof entry === 'string') throw new Error(entry);
    return entry;
  });
}

describe(AddressRules.name, () => {
  const rules = new AddressRules();

  it.each([
    ['10.0.0.1', 'a private address'],
    ['172.16.5.4', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['127.0.0.1', 'a loopback address'],
    ['169.254.169.254', 'a link-local address'],
    ['100.64.0.1', 'a carrier-grade NAT address'],
    ['0.0.0.0', 'a unspecified address'],
    ['::1', 'a loopback address'],
    ['fe80::1', 'a link-local address'],
    ['fd00::1', 'a unique-local address'],
    ['::ffff:10.0.0.1', 'a private address'],
    ['::a00:1', 'a IPv4-compatible IPv6 address'],
    ['::8:8', 'a IPv4-compatible IPv6 address'],
    ['64:ff9b::a00:1', 'a non-public (rfc6052) address'],
    ['2002:a00:1::', 'a non-public (6to4) address'],
    ['224.0.0.1', 'a multicast address'],
    ['[::1]', 'a loopback address'],
    ['example.com', 'not an IP address'],
  ])('refuses %s (%s)', (address, what) => {
    expect(rules.refusal(address, 443)).toBe(what);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'accepts public %s',
    (address) => {
      expect(rules.refusal(address, 443)).toBeNull();
    },
  );

  it('accepts what the allowlist covers, by range, address, host name or domain, and at its port', () => {
    const allowing = new AddressRules(
      allowlist('127.0.0.1/32', '10.1.0.0/16', 'hooks.internal', '*.svc.internal', '10.9.0.1:8443'),
    );
    expect(allowing.refusal('127.0.0.1', 9)).toBeNull();
    expect(allowing.refusal('10.1.2.3', 443)).toBeNull();
    expect(allowing.hostAllowed('Hooks.Internal', 1)).toBe(true);
    expect(allowing.hostAllowed('a.svc.internal', 443)).toBe(true);
    expect(allowing.refusal('10.9.0.1', 8443)).toBeNull();
    // but nothing beyond it
    expect(allowing.refusal('127.0.0.2', 443)).toBe('a loopback address');
    expect(allowing.refusal('10.2.0.1', 443)).toBe('a private address');
    expect(allowing.refusal('::1', 443)).toBe('a loopback address');
    expect(allowing.refusal('10.9.0.1', 443)).toBe('a private address');
    expect(allowing.hostAllowed('svc.internal', 443)).toBe(false);
    expect(allowing.hostAllowed('hooks.internal.evil', 443)).toBe(false);
  });
});

describe(effectivePort.name, () => {
  it('reads the port, or the default of the protocol', () => {
    expect(effectivePort('8443', 'https:')).toBe(8443);
    expect(effectivePort('', 'https:')).toBe(443);
    expect(effectivePort(undefined, 'http:')).toBe(80);
    expect(effectivePort(8080, 'http:')).toBe(8080);
  });
});
