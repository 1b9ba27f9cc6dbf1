import {
  withoutNulls,
  configurationFromProto,
  configurationToProto,
  defined,
  externalIdsFromProto,
} from './grpc.messages';

describe(configurationFromProto.name, () => {
  it('reads empty repeated fields as absent, so they mean "every" as in REST', () => {
    expect(
      configurationFromProto({
        channelTypes: [],
        filters: [{ field: 'status', expression: 'read' }],
        eventTypes: [],
        environments: [],
        retry: { schedule: [], timeoutMs: 500 },
      }),
    ).toEqual({
      echo: false,
      channelTypes: [],
      filters: [{ field: 'status', expression: 'read' }],
      retry: { timeoutMs: 500 },
    });
    expect(configurationFromProto(undefined)).toBeUndefined();
  });

  it('round-trips a configuration through the proto shape', () => {
    const configuration = {
      echo: true,
      channelTypes: ['whatsapp'],
      filters: [{ field: 'campaign_name' as const, expression: 'x-*' }],
      eventTypes: ['whatsapp.message.received'],
      environments: ['sandbox' as const],
      retry: { schedule: [5, 10], timeoutMs: 1000 },
      cloudEventsMode: 'binary' as const,
      ordering: 'conversation' as const,
      statusMonotonic: true,
    };
    expect(configurationFromProto(configurationToProto(configuration))).toEqual(configuration);
  });

  it('passes the CloudEvents mode on, and shows a stored configuration without one as structured', () => {
    // given a mode set over gRPC, then none
    expect(configurationFromProto({ cloudEventsMode: 'binary' })).toMatchObject({
      cloudEventsMode: 'binary',
    });
    expect(configurationFromProto({})).not.toHaveProperty('cloudEventsMode');
    // when a configuration stored before modes existed is shown, then it reads structured
    expect(
      configurationToProto({ echo: false, channelTypes: [], filters: [] }).cloudEventsMode,
    ).toBe('structured');
  });

  it('passes ordering and status monotonicity on, and shows a configuration without them as off', () => {
    // given both set over gRPC, then neither
    expect(
      configurationFromProto({ ordering: 'conversation', statusMonotonic: true }),
    ).toMatchObject({ ordering: 'conversation', statusMonotonic: true });
    expect(configurationFromProto({})).not.toHaveProperty('ordering');
    expect(configurationFromProto({})).not.toHaveProperty('statusMonotonic');
    // when a configuration stored before they existed is shown, then both read off
    expect(configurationToProto({ echo: false, channelTypes: [], filters: [] })).toMatchObject({
      ordering: 'none',
      statusMonotonic: false,
    });
  });
});

describe(defined.name, () => {
  it('drops undefined values only', () => {
    expect(defined({ a: 1, b: undefined, c: null, d: false })).toEqual({ a: 1, c: null, d: false });
  });
});

describe(externalIdsFromProto.name, () => {
  it('fills missing lists and keeps absence absent', () => {
    expect(externalIdsFromProto({ wabaIds: ['1'] })).toEqual({
      wabaIds: ['1'],
      phoneNumberIds: [],
    });
    expect(externalIdsFromProto(undefined)).toBeUndefined();
  });
});

describe(withoutNulls.name, () => {
  it('turns nulls into absent fields, deeply', () => {
    expect(withoutNulls({ a: null, b: [{ c: null, d: 1 }], e: { f: null, g: 'x' } })).toEqual({
      a: undefined,
      b: [{ c: undefined, d: 1 }],
      e: { f: undefined, g: 'x' },
    });
  });
});
