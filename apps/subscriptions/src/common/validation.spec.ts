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
});
