import {
  ConfigRecord,
  SourceRecord,
  SubscriptionConfiguration,
  SubscriptionRecord,
  configKey,
  parseConfigKey,
} from './config-records';
import { examples } from './examples';

describe('SourceRecord', () => {
  it('accepts the example source', () => {
    expect(SourceRecord.safeParse(examples.SourceRecord).success).toBe(true);
  });

  it('accepts a static token verification and keeps it when parsed', () => {
    // given a Cunnekt-style source verified by a token in a header
    const tokenSource = {
      ...examples.SourceRecord,
      verification: { kind: 'token', header: 'x-cunnekt-token' },
    };

    // when parsed, then the verification is kept as given
    expect(SourceRecord.parse(tokenSource).verification).toEqual({
      kind: 'token',
      header: 'x-cunnekt-token',
    });
    // and a record without one (the route's own scheme) is still valid
    expect(SourceRecord.parse(examples.SourceRecord).verification).toBeUndefined();
  });

  it('accepts a shared endpoint for channel webhooks and platform events, and only as true', () => {
    const shared = { ...examples.SourceRecord, sharedEndpoint: true };
    expect(SourceRecord.parse(shared).sharedEndpoint).toBe(true);
    expect(SourceRecord.safeParse({ ...shared, sharedEndpoint: false }).success).toBe(false);
  });

  it.each([
    ['an upper-case header', { kind: 'token', header: 'Authorization' }],
    ['a header with a space', { kind: 'token', header: 'x token' }],
    ['an unknown kind', { kind: 'mtls' }],
  ])('refuses a verification with %s', (_case, verification) => {
    const result = SourceRecord.safeParse({ ...examples.SourceRecord, verification });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe('verification');
  });

  it('accepts several live secrets during rotation', () => {
    // given
    const rotating = {
      ...examples.SourceRecord,
      secrets: [
        { ...examples.SourceRecord.secrets[0], expiresAt: '2026-03-08T09:00:00Z' },
        {
          id: 'sec_2026_04',
          value: 'new-secret',
          createdAt: '2026-03-07T09:00:00Z',
          expiresAt: null,
        },
      ],
    };

    // then
    expect(SourceRecord.safeParse(rotating).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no secret', { secrets: [] }, 'secrets'],
    [
      'an empty secret value',
      { secrets: [{ id: 's', value: '', createdAt: '2026-03-01T09:00:00Z', expiresAt: null }] },
      'secrets',
    ],
    ['a negative version', { version: -1 }, 'version'],
    ['a non-integer version', { version: 1.5 }, 'version'],
    ['an empty verify token', { verifyToken: '' }, 'verifyToken'],
    ['no external ids', { externalIds: undefined }, 'externalIds'],
    ['an unknown environment', { environment: 'staging' }, 'environment'],
  ])('refuses %s', (_label, change, path) => {
    // when
    const result = SourceRecord.safeParse({ ...examples.SourceRecord, ...change });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toContain(path);
  });
});

describe('SubscriptionRecord', () => {
  it('accepts the example subscription', () => {
    expect(SubscriptionRecord.safeParse(examples.SubscriptionRecord).success).toBe(true);
  });

  it('accepts an http address on loopback (operators allowlist it for tests)', () => {
    // given
    const subscription = { ...examples.SubscriptionRecord, address: 'http://127.0.0.1:9000/hook' };

    // then
    expect(SubscriptionRecord.safeParse(subscription).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>, (string | number)[]]>([
    ['a non-http address', { address: 'ftp://hooks.acme.example' }, ['address']],
    ['an unknown state', { state: 'paused' }, ['state']],
    ['an unknown topic', { topic: 'payments' }, ['topic']],
    ['no secret', { secrets: [] }, ['secrets']],
    [
      'a secret without the whsec_ prefix',
      {
        secrets: [{ id: 'w', value: 'plain', createdAt: '2026-03-01T09:00:00Z', expiresAt: null }],
      },
      ['secrets', 0, 'value'],
    ],
  ])('refuses %s', (_label, change, path) => {
    // when
    const result = SubscriptionRecord.safeParse({ ...examples.SubscriptionRecord, ...change });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});

describe('SubscriptionConfiguration', () => {
  it('fills in defaults: no echo, every channel, no filters', () => {
    // when
    const configuration = SubscriptionConfiguration.parse({});

    // then
    expect(configuration).toEqual({ echo: false, channelTypes: [], filters: [] });
  });

  it('reads a record written before CloudEvents modes as structured (the field stays absent)', () => {
    // given a subscription record from before the field existed
    const older = { ...examples.SubscriptionRecord };

    // when parsed
    const record = SubscriptionRecord.parse(older);

    // then no mode is set, which delivery reads as structured
    expect(record.configuration.cloudEventsMode).toBeUndefined();
    // and either mode is kept as given
    expect(SubscriptionConfiguration.parse({ cloudEventsMode: 'binary' }).cloudEventsMode).toBe(
      'binary',
    );
  });

  it('reads a record written before ordering as unordered, statuses unchecked (fields absent)', () => {
    // given a subscription record from before the fields existed
    const record = SubscriptionRecord.parse({ ...examples.SubscriptionRecord });

    // then neither is set, which delivery reads as ordering none and statusMonotonic false
    expect(record.configuration.ordering).toBeUndefined();
    expect(record.configuration.statusMonotonic).toBeUndefined();
    // and both are kept as given
    expect(
      SubscriptionConfiguration.parse({ ordering: 'conversation', statusMonotonic: true }),
    ).toMatchObject({ ordering: 'conversation', statusMonotonic: true });
  });

  it.each<[string, Record<string, unknown>, (string | number)[]]>([
    [
      'an empty filter expression',
      { filters: [{ field: 'campaign_name', expression: '' }] },
      ['filters', 0, 'expression'],
    ],
    [
      'an unknown filter field',
      { filters: [{ field: 'price', expression: '*' }] },
      ['filters', 0, 'field'],
    ],
    ['a timeout under 100 ms', { retry: { timeoutMs: 99 } }, ['retry', 'timeoutMs']],
    ['a timeout over 60 s', { retry: { timeoutMs: 60_001 } }, ['retry', 'timeoutMs']],
    ['an empty retry schedule', { retry: { schedule: [] } }, ['retry', 'schedule']],
    [
      '31 retries',
      { retry: { schedule: Array.from({ length: 31 }, () => 5) } },
      ['retry', 'schedule'],
    ],
    ['a zero delay', { retry: { schedule: [5, 0] } }, ['retry', 'schedule', 1]],
    ['an unknown environment', { environments: ['staging'] }, ['environments', 0]],
    ['an unknown CloudEvents mode', { cloudEventsMode: 'batched' }, ['cloudEventsMode']],
    ['an unknown ordering', { ordering: 'global' }, ['ordering']],
    ['a non-boolean statusMonotonic', { statusMonotonic: 'yes' }, ['statusMonotonic']],
  ])('refuses %s', (_label, configuration, path) => {
    // when
    const result = SubscriptionConfiguration.safeParse(configuration);

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});

describe('ConfigRecord', () => {
  it.each([
    ['source', examples.SourceRecord],
    ['subscription', examples.SubscriptionRecord],
  ])('accepts a %s', (kind, record) => {
    // when
    const result = ConfigRecord.safeParse(record);

    // then
    expect(result.success).toBe(true);
    expect(result.data?.kind).toBe(kind);
  });

  it('refuses an unknown kind', () => {
    // when
    const result = ConfigRecord.safeParse({ ...examples.SourceRecord, kind: 'business' });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['kind']);
  });
});

describe(configKey.name, () => {
  it('keys a source by its id and a subscription by business and topic', () => {
    expect(configKey(examples.SourceRecord)).toBe('source:src_meta_acme');
    expect(configKey(examples.SubscriptionRecord)).toBe('subscription:biz_acme:messages');
  });
});

describe(parseConfigKey.name, () => {
  it('reads back what configKey writes', () => {
    expect(parseConfigKey('source:src_meta_acme')).toEqual({ kind: 'source', id: 'src_meta_acme' });
    expect(parseConfigKey('subscription:biz:with:colons:delivery_status')).toEqual({
      kind: 'subscription',
      businessId: 'biz:with:colons',
      topic: 'delivery_status',
    });
  });

  it.each([
    '',
    'source:',
    'subscription:biz_acme',
    'subscription::messages',
    'subscription:b:payments',
    'business:b',
  ])('refuses "%s"', (key) => {
    expect(parseConfigKey(key)).toBeNull();
  });
});
