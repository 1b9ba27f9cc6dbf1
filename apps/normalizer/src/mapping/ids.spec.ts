import fc from 'fast-check';
import { v5 } from 'uuid';

import { EVENT_ID_NAMESPACE, contentKey, eventId, stableJson, uuidBytes, uuidV5 } from './ids';

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

describe(uuidV5.name, () => {
  it('gives what the uuid package gives for any text under any namespace', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.uuid(), (text, namespace) => {
        // JSON.stringify is what makes lone surrogates well-formed before hashing, as eventId does
        const name = JSON.stringify([text]);
        expect(uuidV5(name, uuidBytes(namespace))).toBe(v5(name, namespace));
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives the same event ids as the uuid package', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), (naturalKey, kind) => {
        const name = JSON.stringify([
          scope.provider,
          scope.businessId,
          scope.environment,
          kind,
          naturalKey,
        ]);
        expect(eventId(scope, kind, naturalKey)).toBe(v5(name, EVENT_ID_NAMESPACE));
      }),
      { numRuns: 2_000 },
    );
  });
});
