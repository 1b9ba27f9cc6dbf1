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
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issuePath(base, issue.path, root),
    message: describeIssue(issue),
  }));
  throw new InvalidRequestError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}
