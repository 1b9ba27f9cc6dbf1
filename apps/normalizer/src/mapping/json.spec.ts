import fc from 'fast-check';

import { parseJsonExact } from './json';

/** What parseJsonExact answers by definition: every value through the exact-integer reviver. */
function parseWithReviver(text: string): unknown {
  return JSON.parse(text, function revive(
    this: unknown,
    _key,
    value,
    context?: { source?: string },
  ) {
    if (
      typeof value === 'number' &&
      !Number.isSafeInteger(value) &&
      typeof context?.source === 'string' &&
      /^-?\d+$/.test(context.source)
    ) {
      return context.source;
    }
    return value as unknown;
  } as (this: unknown, key: string, value: unknown) => unknown);
}

describe(parseJsonExact.name, () => {
  it('keeps integers beyond 2^53 as their digits and leaves every other number alone', () => {
    expect(
      parseJsonExact(
        '{"a":9007199254740993,"b":-12345678901234567890,"c":9007199254740991,"d":1e300,"e":"12345678901234567890"}',
      ),
    ).toEqual({
      a: '9007199254740993',
      b: '-12345678901234567890',
      c: 9007199254740991,
      d: 1e300,
      e: '12345678901234567890',
    });
    expect(parseJsonExact('[1.5, 123456789012345, -0, 2e5]')).toEqual([
      1.5, 123456789012345, -0, 2e5,
    ]);
  });

  it('answers what the reviver answers for any JSON, with or without long integers', () => {
    const longInteger = fc
      .bigInt({ min: -(10n ** 22n), max: 10n ** 22n })
      .map((n) => ({ raw: n.toString() }));
    const json: fc.Arbitrary<string> = fc
      .tuple(fc.jsonValue(), fc.array(longInteger, { maxLength: 3 }))
      .map(([value, longs]) => {
        const text = JSON.stringify(value) ?? 'null';
        return longs.length === 0
          ? text
          : `{"v":${text},"longs":[${longs.map((l) => l.raw).join(',')}]}`;
      });
    fc.assert(
      fc.property(json, (text) => {
        expect(parseJsonExact(text)).toStrictEqual(parseWithReviver(text));
      }),
      { numRuns: 3_000 },
    );
  });

  it('answers what the reviver answers for deep documents too, failing where it fails', () => {
    const nested = (depth: number, inner: string) => '['.repeat(depth) + inner + ']'.repeat(depth);
    for (const depth of [255, 256, 257, 600]) {
      for (const inner of ['1', '12345678901234567890']) {
        const text = nested(depth, inner);
        expect(parseJsonExact(text)).toStrictEqual(parseWithReviver(text));
      }
    }
    // The reviver recurses and runs out of stack where a plain parse would not: that stays so.
    const tooDeep = nested(100_000, '1');
    expect(() => parseWithReviver(tooDeep)).toThrow(RangeError);
    expect(() => parseJsonExact(tooDeep)).toThrow(RangeError);
  });

  it('fails on text that is not JSON, as JSON.parse does', () => {
    expect(() => parseJsonExact('{"a":')).toThrow(SyntaxError);
    expect(() => parseJsonExact('{"a":12345678901234567890')).toThrow(SyntaxError);
  });
});
