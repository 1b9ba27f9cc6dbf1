import { decodeCursor, encodeCursor } from './cursor';
import { Instant } from './instant';
import { InvalidRequestError } from './validation';

const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const anyId = (id: string) => id.length > 0;

describe(decodeCursor.name, () => {
  it('reads back what encodeCursor wrote', () => {
    const cursor = encodeCursor(new Date('2026-03-10T12:00:00.123Z'), 'dlv_1');
    expect(decodeCursor(cursor, anyId)).toEqual({ at: '2026-03-10T12:00:00.123Z', id: 'dlv_1' });
  });

  it.each([
    ['not base64url JSON', 'nonsense'],
    ['another shape', raw({ at: '2026-03-10T12:00:00.000Z', id: 'x' })],
    ['a third element', raw(['2026-03-10T12:00:00.000Z', 'x', 1])],
    ['a time the API never writes', raw(['1 March 2026', 'x'])],
    ['a time PostgreSQL cannot store', raw(['-271821-04-20T00:00:00.000Z', 'x'])],
    ['year 0000', raw(['0000-01-01T00:00:00.000Z', 'x'])],
    ['a NUL in the id', raw(['2026-03-10T12:00:00.000Z', 'dlv\u0000'])],
    ['an id that is not text', raw(['2026-03-10T12:00:00.000Z', 7])],
    ['an id the list never has', raw(['2026-03-10T12:00:00.000Z', ''])],
  ])('refuses %s with a 400', (_, cursor) => {
    expect(() => decodeCursor(cursor, anyId)).toThrow(
      new InvalidRequestError('cursor: not a cursor this API gave'),
    );
  });
});

describe('Instant', () => {
  it.each(['2026-01-31T09:30:00Z', '2026-01-31T09:30:00.123456+15:59', '0001-01-01T00:00:00Z'])(
    'takes %s',
    (value) => {
      expect(Instant.safeParse(value).success).toBe(true);
    },
  );

  it.each([
    'yesterday',
    '2026-01-31',
    '0000-01-01T00:00:00Z',
    '2026-01-31T09:30:00+16:00',
    '2026-01-31T09:30:00+23:59',
    '2026-02-30T00:00:00Z',
  ])('refuses %s, naming what it expects', (value) => {
    const parsed = Instant.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(
      'must be a date-time with offset such as 2026-01-31T09:30:00Z (years 0001 to 9999, offset within ±15:59)',
    );
  });
});
