import { AppError } from '@switchboard/service-kit';
import type { z } from 'zod';

/** A request the API refuses as it stands: 400, with every bad field named in the message. */
export class InvalidRequestError extends AppError {
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[] = [],
    code = 'invalid_request',
  ) {
    super(code, message, 400, false);
  }
}

/** `configuration.filters[0].expression` from a zod issue path. */
export function issuePath(base: string, path: readonly PropertyKey[], root = '(body)'): string {
  let text = base;
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? root : text;
}

/** Describes one zod issue so the caller sees the field, what is wrong, and what was expected. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return issue.message;
}

/**
 * Parses input with its zod schema or throws {@link InvalidRequestError} naming every bad field,
 * e.g. `address: Invalid URL; configuration.retry.schedule: Too big: expected array to have <=30 items`.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  base = '',
  root = '(body)',
): z.output<S> {
  const parsed = schema.safeParse(value);
  const issues = parsed.success
    ? unstorableStrings(parsed.data).map((path) => ({
        path: issuePath(base, path, root),
        message: 'must not contain NUL characters or unpaired UTF-16 surrogates',
      }))
    : parsed.error.issues.map((issue) => ({
        path: issuePath(base, issue.path, root),
        message: describeIssue(issue),
      }));
  if (parsed.success && issues.length === 0) return parsed.data;
  throw new InvalidRequestError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

/** A UTF-16 surrogate without its partner. */
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether PostgreSQL can store the string (in `text` and `jsonb` alike): no NUL, no lone surrogate. */
export function isStorable(value: string): boolean {
  return !value.includes('\u0000') && !unpairedSurrogate.test(value);
}

/**
 * Paths of the strings (values or keys) PostgreSQL cannot store: `text` refuses NUL and `jsonb`
 * refuses `\u0000` and unpaired surrogates, which would otherwise fail the write with a 500.
 */
function unstorableStrings(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (typeof value === 'string') return isStorable(value) ? [] : [path];
  if (Array.isArray(value))
    return value.flatMap((item, i) => unstorableStrings(item, [...path, i]));
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    return Object.entries(value).flatMap(([key, item]) =>
      isStorable(key) ? unstorableStrings(item, [...path, key]) : [[...path, key]],
    );
  }
  return [];
}
