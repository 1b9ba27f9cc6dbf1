import { CursorCodec, deriveCursorKey, signCursor } from './cursor';
import { Instant } from './instant';
import { InvalidRequestError } from './validation';

const key = deriveCursorKey(Buffer.alloc(32, 1));
const codec = new CursorCodec(key);
const anyId = (id: string) => id.length > 0;
const notACursor = new InvalidRequestError('cursor: not a cursor this API gave');
const at = new Date('2026-03-10T12:00:00.123Z');

/** The cursor with one byte of its payload (part 0) or its tag (part 1) flipped. */
function flipped(cursor: string, part: 0 | 1, index: number): string {
  const parts = cursor.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe(CursorCodec.name, () => {
  it('reads back what it wrote, also after a restart with the same data key', () => {
    // given a cursor written for the delivery list
    const cursor = codec.encode('deliveries', at, 'dlv_1');

    // when it is read back, by this codec and by one keyed again from the same data key
    const again = new CursorCodec(deriveCursorKey(Buffer.alloc(32, 1)));

    // then both find the position it holds
    const position = { at: '2026-03-10T12:00:00.123Z', id: 'dlv_1' };
    expect(codec.decode('deliveries', cursor, anyId)).toEqual(position);
    expect(again.decode('deliveries', cursor, anyId)).toEqual(position);
  });

  it('writes an opaque cursor: no time or id shows in it', () => {
    const cursor = codec.encode('events', at, 'dlv_1');
    expect(cursor).not.toContain('dlv_1');
    expect(cursor).not.toContain('2026');
  });

  it.each([
    ['a byte of the time in the payload flipped', (c: string) => flipped(c, 0, 3)],
    ['a byte of the id in the payload flipped', (c: string) => flipped(c, 0, 33)],
    ['a byte of the tag flipped', (c: string) => flipped(c, 1, 0)],
    ['the last byte of the tag flipped', (c: string) => flipped(c, 1, 15)],
    ['the tag cut short', (c: string) => c.slice(0, -1)],
    ['the tag left off', (c: string) => c.slice(0, c.indexOf('.'))],
    ['the tag spelled otherwise (same bytes)', (c: string) => c.slice(0, -1) + nextChar(c.at(-1)!)],
    ['a character added', (c: string) => `${c}A`],
  ])('refuses a cursor with %s with a 400', (_, alter) => {
    // given a cursor the API gave
    const cursor = codec.encode('deliveries', at, 'dlv_1');
    expect(codec.decode('deliveries', cursor, anyId).id).toBe('dlv_1');

    // when it is altered, then it is no cursor
    expect(() => codec.decode('deliveries', alter(cursor), anyId)).toThrow(notACursor);
  });

  it('refuses a cursor signed with another key with a 400', () => {
    const foreign = new CursorCodec(deriveCursorKey(Buffer.alloc(32, 2)));
    const cursor = foreign.encode('deliveries', at, 'dlv_1');
    expect(() => codec.decode('deliveries', cursor, anyId)).toThrow(notACursor);
  });

  it('refuses the cursor of another list with a 400', () => {
    const cursor = codec.encode('deliveries', at, 'dlv_1');
    expect(() => codec.decode('outbound-dead-letters', cursor, anyId)).toThrow(notACursor);
  });

  it('refuses an unsigned position (base64url JSON) with a 400', () => {
    const unsigned = Buffer.from(JSON.stringify([at.toISOString(), 'dlv_1'])).toString('base64url');
    expect(() => codec.decode('deliveries', unsigned, anyId)).toThrow(notACursor);
  });

  // Signed with the right key, yet positions the API never writes: refused all the same
  it.each([
    ['another shape', { at: '2026-03-10T12:00:00.000Z', id: 'x' }],
    ['a third element', ['2026-03-10T12:00:00.000Z', 'x', 1]],
    ['a time the API never writes', ['1 March 2026', 'x']],
    ['a time PostgreSQL cannot store', ['-271821-04-20T00:00:00.000Z', 'x']],
    ['year 0000', ['0000-01-01T00:00:00.000Z', 'x']],
    ['a NUL in the id', ['2026-03-10T12:00:00.000Z', 'dlv\u0000']],
    ['an id that is not text', ['2026-03-10T12:00:00.000Z', 7]],
    ['an id the list never has', ['2026-03-10T12:00:00.000Z', '']],
  ])('refuses %s with a 400', (_, payload) => {
    const cursor = signCursor(key, 'deliveries', payload);
    expect(() => codec.decode('deliveries', cursor, anyId)).toThrow(notACursor);
  });

  it('refuses what is not a cursor at all with a 400', () => {
    expect(() => codec.decode('deliveries', 'nonsense', anyId)).toThrow(notACursor);
    expect(() => codec.decode('deliveries', '', anyId)).toThrow(notACursor);
  });
});

/** The next base64url character: spells the same bytes when only unused bits differ. */
function nextChar(c: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return alphabet[(alphabet.indexOf(c) + 1) % 64]!;
}

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
