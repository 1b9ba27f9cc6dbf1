import { type AllowlistEntry, AddressPolicy, parseAllowlistEntry } from '.';

/** A resolver at the DNS port: fixed answers, or a failure for names it does not know. */
function resolver(answers: Record<string, string[]>) {
  return async (host: string): Promise<string[]> => {
    const found = answers[host];
    if (!found)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };
}

function allowlist(...entries: string[]): AllowlistEntry[] {
  return entries.map((e) => {
    const entry = parseAllowlistEntry(e);
    if (typeof entry === 'string') throw new Error(entry);
    return entry;
  });
}

const dns = resolver({
  'hooks.example.com': ['93.184.215.14'],
  'v6.example.com': ['2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'internal.example.com': ['10.0.0.7'],
  'mixed.example.com': ['93.184.215.14', '192.168.1.20'],
  'metadata.example.com': ['169.254.169.254'],
  'hooks.corp.internal': ['10.20.30.40'],
  'a.svc.corp.internal': ['10.20.30.41'],
  localhost: ['127.0.0.1', '::1'],
  'empty.example.com': [],
});

describe(AddressPolicy.name, () => {
  const strict = new AddressPolicy({ allowHttp: false, allowlist: [], resolve: dns });

  it.each([
    'https://hooks.example.com/whatsapp',
    'https://hooks.example.com:8443/a/b?c=d',
    'https://v6.example.com/',
    'https://93.184.215.14/hook',
    'https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook',
  ])('accepts the public address %s', async (address) => {
    await expect(strict.check(address)).resolves.toBeNull();
  });

  it.each([
    ['http://hooks.example.com/', 'address_invalid', 'address: must use https'],
    ['ws://hooks.example.com/', 'address_invalid', 'address: must use https'],
    ['hooks.example.com/path', 'address_invalid', 'address: not an absolute URL'],
    [
      'https://a:b@hooks.example.com/',
      'address_invalid',
      expect.stringContaining('must not carry credentials'),
    ],
    ['https://hooks.example.com/#x', 'address_invalid', 'address: must not have a #fragment'],
    [
      `https://hooks.example.com/${'a'.repeat(2048)}`,
      'address_invalid',
      'address: longer than 2048 characters',
    ],
    [
      'https://internal.example.com/',
      'address_not_allowed',
      'address: "internal.example.com" resolves to 10.0.0.7, which is a private address; only public addresses may receive webhooks unless the operator allowlists them',
    ],
    [
      'https://mixed.example.com/',
      'address_not_allowed',
      expect.stringContaining('192.168.1.20, which is a private address'),
    ],
    ['https://metadata.example.com/', 'address_not_allowed', expect.stringContaining('link-local')],
    [
      'https://localhost/',
      'address_not_allowed',
      expect.stringContaining('127.0.0.1, which is a loopback address'),
    ],
    [
      'https://127.0.0.1/',
      'address_not_allowed',
      expect.stringContaining('"127.0.0.1" is a loopback address'),
    ],
    ['https://[::1]/', 'address_not_allowed', expect.stringContaining('loopback')],
    ['https://[fd12:3456::1]/', 'address_not_allowed', expect.stringContaining('unique-local')],
    ['https://[fe80::1]/', 'address_not_allowed', expect.stringContaining('link-local')],
    ['https://100.100.1.1/', 'address_not_allowed', expect.stringContaining('carrier-grade NAT')],
    ['https://[::ffff:192.168.0.1]/', 'address_not_allowed', expect.stringContaining('private')],
    [
      'https://[64:ff9b::a00:1]/',
      'address_not_allowed',
      expect.stringContaining('non-public (rfc6052)'),
    ],
    ['https://224.0.0.1/', 'address_not_allowed', expect.stringContaining('multicast')],
    ['https://192.0.2.1/', 'address_not_allowed', expect.stringContaining('reserved')],
    ['https://0.0.0.0/', 'address_not_allowed', expect.stringContaining('unspecified')],
    [
      'https://unknown.example.com/',
      'address_unresolvable',
      expect.stringContaining('host "unknown.example.com" does not resolve (getaddrinfo ENOTFOUND'),
    ],
    [
      'https://empty.example.com/',
      'address_unresolvable',
      'address: host "empty.example.com" has no addresses',
    ],
  ])('refuses %s (%s)', async (address, code, message) => {
    await expect(strict.check(address)).resolves.toEqual({ code, message });
  });

  it('accepts plain http only when allowed, and still refuses other schemes', async () => {
    const lenient = new AddressPolicy({ allowHttp: true, allowlist: [], resolve: dns });
    await expect(lenient.check('http://hooks.example.com/')).resolves.toBeNull();
    await expect(lenient.check('ftp://hooks.example.com/')).resolves.toEqual({
      code: 'address_invalid',
      message: 'address: must use https or http',
    });
    await expect(lenient.check('http://internal.example.com/')).resolves.toMatchObject({
      code: 'address_not_allowed',
    });
  });

  it('lets the operator allowlist ranges, single addresses, hosts and domains', async () => {
    const policy = new AddressPolicy({
      allowHttp: false,
      allowlist: allowlist(
        '127.0.0.1/32',
        '::1',
        '10.0.0.0/8',
        'hooks.corp.internal',
        '*.svc.corp.internal',
      ),
      resolve: resolver({
        ...{
          localhost: ['127.0.0.1', '::1'],
          'internal.example.com': ['10.0.0.7'],
          'other.corp.internal': ['172.16.0.1'],
          'hooks.corp.internal': ['172.16.0.2'],
          'a.svc.corp.internal': ['172.16.0.3'],
        },
      }),
    });
    for (const address of [
      'https://127.0.0.1:8443/x',
      'https://[::1]/x',
      'https://localhost/x',
      'https://10.255.0.1/x',
      'https://internal.example.com/x',
      'https://[::ffff:10.0.0.1]/x',
      'https://hooks.corp.internal/x',
      'https://a.svc.corp.internal/x',
    ]) {
      await expect(policy.check(address)).resolves.toBeNull();
    }
    // not covered: another loopback address, another private range, a host outside the domain
    await expect(policy.check('https://127.0.0.2/x')).resolves.toMatchObject({
      code: 'address_not_allowed',
    });
    await expect(policy.check('https://other.corp.internal/x')).resolves.toMatchObject({
      code: 'address_not_allowed',
    });
    await expect(policy.check('https://svc.corp.internal.evil/x')).resolves.toMatchObject({
      code: 'address_unresolvable',
    });
  });

  it('refuses the IPv4-compatible IPv6 form, which embeds an IPv4 address', async () => {
    await expect(strict.check('https://[::a00:1]/')).resolves.toEqual({
      code: 'address_not_allowed',
      message:
        'address: "::a00:1" is a IPv4-compatible IPv6 address; only public addresses may receive webhooks unless the operator allowlists them',
    });
    await expect(strict.check('https://[::808:808]/')).resolves.toMatchObject({
      code: 'address_not_allowed',
    });
  });

  it('lets an allowlist entry with a port cover that port only', async () => {
    const policy = new AddressPolicy({
      allowHttp: true,
      allowlist: allowlist('hooks.corp.internal:8443', '10.0.0.7:443', '*.svc.corp.internal:80'),
      resolve: dns,
    });
    await expect(policy.check('https://hooks.corp.internal:8443/x')).resolves.toBeNull();
    await expect(policy.check('https://internal.example.com/x')).resolves.toBeNull(); // 443
    await expect(policy.check('http://a.svc.corp.internal/x')).resolves.toBeNull(); // 80
    await expect(policy.check('https://hooks.corp.internal/x')).resolves.toMatchObject({
      code: 'address_not_allowed',
    });
    await expect(policy.check('https://internal.example.com:8443/x')).resolves.toMatchObject({
      code: 'address_not_allowed',
    });
    await expect(policy.check('https://a.svc.corp.internal/x')).resolves.toMatchObject({
      code: 'address_not_allowed',
    });
  });

  it('gives up on a lookup that takes too long', async () => {
    const slow = new AddressPolicy({
      allowHttp: false,
      allowlist: [],
      lookupTimeoutMs: 20,
      resolve: () => new Promise(() => undefined),
    });
    await expect(slow.check('https://slow.example.com/')).resolves.toEqual({
      code: 'address_unresolvable',
      message: 'address: host "slow.example.com" does not resolve (no answer in 20 ms)',
    });
  });
});

describe(parseAllowlistEntry.name, () => {
  it.each([
    ['127.0.0.1/32', { kind: 'range', text: '127.0.0.1/32' }],
    ['10.0.0.0/8', { kind: 'range', text: '10.0.0.0/8' }],
    ['fd00::/8', { kind: 'range', text: 'fd00::/8' }],
    ['::ffff:10.0.0.0/104', { kind: 'range', text: '::ffff:10.0.0.0/104' }],
    ['192.168.1.5', { kind: 'range', text: '192.168.1.5' }],
    ['[::1]', { kind: 'range', text: '[::1]' }],
    ['Hooks.Internal', { kind: 'host', text: 'hooks.internal', host: 'hooks.internal' }],
    ['*.corp.example', { kind: 'domain', text: '*.corp.example', suffix: '.corp.example' }],
    ['hooks.internal:8443', { kind: 'host', host: 'hooks.internal', port: 8443 }],
    ['*.corp.example:443', { kind: 'domain', suffix: '.corp.example', port: 443 }],
    ['10.0.0.5:8080', { kind: 'range', port: 8080 }],
    ['[fd00::5]:8443', { kind: 'range', port: 8443 }],
    ['fd00::5', { kind: 'range', port: null }],
  ])('reads %s', (text, expected) => {
    expect(parseAllowlistEntry(text)).toMatchObject(expected);
  });

  it('maps an IPv4-mapped IPv6 range onto the IPv4 range it covers', () => {
    const entry = parseAllowlistEntry('::ffff:10.0.0.0/104');
    expect(typeof entry !== 'string' && entry.kind === 'range' && entry.range[0].toString()).toBe(
      '10.0.0.0',
    );
    expect(typeof entry !== 'string' && entry.kind === 'range' && entry.range[1]).toBe(8);
  });

  it.each([
    ['10.0.0.0/33', '"10.0.0.0/33" is not a valid CIDR range'],
    ['10.0.0/8', '"10.0.0/8" is not a valid CIDR range (ranges take no port)'],
    ['10.1/16', '"10.1/16" is not a valid CIDR range (ranges take no port)'],
    ['10.0.0.0/8:443', '"10.0.0.0/8:443" is not a valid CIDR range (ranges take no port)'],
    ['127.1', '"127.1" is neither a CIDR range, an IP address nor a host name'],
    ['hooks.internal:0', '"hooks.internal:0" names no valid port (1–65535)'],
    ['hooks.internal:70000', '"hooks.internal:70000" names no valid port (1–65535)'],
    ['[::1]:x', '"[::1]:x" names no valid port (1–65535)'],
    ['not a host', '"not a host" is neither a CIDR range, an IP address nor a host name'],
    ['-bad.example', '"-bad.example" is neither a CIDR range, an IP address nor a host name'],
    ['*.', '"*." is neither a CIDR range, an IP address nor a host name'],
  ])('refuses %s', (text, message) => {
    expect(parseAllowlistEntry(text)).toBe(message);
  });
});
