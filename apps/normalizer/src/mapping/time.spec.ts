import fc from 'fast-check';

import { toUtcIso } from './time';

describe(toUtcIso.name, () => {
  it.each<[unknown, string]>([
    ['1749416383', '2025-06-08T20:59:43Z'],
    [1749416383, '2025-06-08T20:59:43Z'],
    [' 1749416383 ', '2025-06-08T20:59:43Z'],
    ['1749416383.5', '2025-06-08T20:59:43.500Z'],
    [1749416383123, '2025-06-08T20:59:43.123Z'],
    ['2026-03-10T14:30:00+03:00', '2026-03-10T11:30:00Z'],
    ['2026-03-10T14:30:00+0300', '2026-03-10T11:30:00Z'],
    ['2026-11-20T15:20:00.250+05:30', '2026-11-20T09:50:00.250Z'],
    ['2026-03-10T11:30:00Z', '2026-03-10T11:30:00Z'],
    ['2026-03-10T11:30Z', '2026-03-10T11:30:00Z'],
    [0, '1970-01-01T00:00:00Z'],
  ])('turns %j into %s', (value, expected) => {
    expect(toUtcIso(value)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['a date-time without a zone (ambiguous)', '2026-03-10T14:30:00'],
    ['a date alone', '2026-03-10'],
    ['words', 'yesterday'],
    ['an impossible date', '2026-02-31T10:00:00Z'],
    ['a negative number', -5],
    ['a time past year 9999', 1e15],
    ['NaN', Number.NaN],
    ['null', null],
    ['an object', { seconds: 1 }],
    ['an empty string', ''],
  ])('refuses %s', (_label, value) => {
    expect(toUtcIso(value)).toBeNull();
  });

  it('prints any time of 1970-9999 as toISOString does, without a `.000`', () => {
    const maxMs = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const iso = (ms: number) => new Date(Math.floor(ms)).toISOString().replace('.000Z', 'Z');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 1e11, max: maxMs }),
          fc.double({ min: 1e11, max: maxMs, noNaN: true }),
        ),
        (ms) => expect(toUtcIso(ms)).toBe(iso(ms)),
      ),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 1e11 - 1 }),
          fc.double({ min: 0, max: 1e11, noNaN: true, maxExcluded: true }),
        ),
        (seconds) => expect(toUtcIso(seconds)).toBe(iso(seconds * 1000)),
      ),
      { numRuns: 20_000 },
    );
    expect(toUtcIso(maxMs)).toBe('9999-12-31T23:59:59.999Z');
  });
});
