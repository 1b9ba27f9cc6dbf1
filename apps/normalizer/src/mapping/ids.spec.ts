import { EVENT_ID_NAMESPACE, contentKey, eventId, stableJson } from './ids';

const scope = { provider: 'meta', businessId: 'biz_acme', environment: 'production' };

describe(eventId.name, () => {
  it('is a fixed UUIDv5 of provider, scope, kind and natural key', () => {
    // when
    const id = eventId(
      scope,
      'whatsapp.message.received',
      'wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
    );

    // then: the value is pinned, so changing the derivation (which re-publishes everything) shows
    expect(id).toBe('ec1c65c3-db66-5315-944d-62f193eea5b7');
    expect(EVENT_ID_NAMESPACE).toBe('985be551-800d-4594-91f6-80af9a90430b');
  });

  it('differs when any part differs, and parts cannot run into each other', () => {
    const ids = [
      eventId(scope, 'k', 'a|b'),
      eventId(scope, 'k|a', 'b'),
      eventId({ ...scope, provider: 'onprem' }, 'k', 'a|b'),
      eventId({ ...scope, businessId: 'biz_globex' }, 'k', 'a|b'),
      eventId({ ...scope, environment: 'sandbox' }, 'k', 'a|b'),
    ];

    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe(stableJson.name, () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(stableJson({ b: 1, a: [{ d: 2, c: 3 }, 'x'], e: { g: null, f: true } })).toBe(
      '{"a":[{"c":3,"d":2},"x"],"b":1,"e":{"f":true,"g":null}}',
    );
  });

  it('leaves undefined fields out and writes what JSON cannot hold as null', () => {
    expect(stableJson({ a: undefined, b: [undefined, Number.NaN], c: Infinity })).toBe(
      '{"b":[null,null],"c":null}',
    );
  });
});

describe(contentKey.name, () => {
  it('is the same for equal content in any key order, and differs otherwise', () => {
    expect(contentKey({ a: 1, b: { c: 2, d: 3 } })).toBe(contentKey({ b: { d: 3, c: 2 }, a: 1 }));
    expect(contentKey({ a: 1 })).not.toBe(contentKey({ a: 2 }));
    expect(contentKey({ a: 1 })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
