import { z } from 'zod';
import { InvalidRequestError, issuePath, parseInput } from './validation';

describe(issuePath.name, () => {
  it.each([
    ['', [], '(body)'],
    ['', ['address'], 'address'],
    ['', ['configuration', 'filters', 0, 'expression'], 'configuration.filters[0].expression'],
    ['topic', [], 'topic'],
    ['secret', ['x'], 'secret.x'],
  ] as const)('%s + %j → %s', (base, path, expected) => {
    expect(issuePath(base, path)).toBe(expected);
  });
});

describe(parseInput.name, () => {
  const schema = z.strictObject({ a: z.number(), b: z.array(z.string().min(2)) });

  it('returns the parsed value', () => {
    expect(parseInput(schema, { a: 1, b: ['xy'] })).toEqual({ a: 1, b: ['xy'] });
  });

  it('throws a 400 naming every bad field, unknown fields included', () => {
    try {
      parseInput(schema, { a: 'one', b: ['x'], c: true, d: 1 });
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidRequestError);
      const error = err as InvalidRequestError;
      expect(error.httpStatus).toBe(400);
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe(
        'a: Invalid input: expected number, received string; ' +
          'b[0]: Too small: expected string to have >=2 characters; ' +
          '(body): unknown fields "c", "d"',
      );
      expect(error.issues.map((i) => i.path)).toEqual(['a', 'b[0]', '(body)']);
    }
  });

  it.each([
    ['a NUL character', 'ab\u0000c'],
    ['an unpaired high surrogate', 'ab\ud800'],
    ['an unpaired low surrogate', '\udc00ab'],
  ])('refuses %s anywhere in the input, which PostgreSQL cannot store', (_, bad) => {
    // given input that passes the schema but carries a string PostgreSQL refuses
    const nested = z.strictObject({ name: z.string(), ids: z.array(z.string()) });

    // when it is parsed, then it is a 400 naming the field, not a failed write later
    expect(() => parseInput(nested, { name: 'fine 😀', ids: ['ok', bad] })).toThrow(
      new InvalidRequestError(
        'ids[1]: must not contain NUL characters or unpaired UTF-16 surrogates',
      ),
    );
    expect(parseInput(nested, { name: 'fine 😀', ids: ['ok'] })).toEqual({
      name: 'fine 😀',
      ids: ['ok'],
    });
  });

  it('refuses an unstorable object key', () => {
    const record = z.record(z.string(), z.string());
    expect(() => parseInput(record, { 'a\u0000': 'x' })).toThrow(InvalidRequestError);
  });
});
