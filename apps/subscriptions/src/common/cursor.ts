import { isStorableInstant } from './instant';
import { InvalidRequestError, isStorable } from './validation';

/** Where a page of a time-ordered list ended: the last item's time and id. */
export interface CursorPosition {
  /** ISO 8601 in UTC, as the API wrote it. */
  at: string;
  id: string;
}

/** The opaque `nextCursor` of a page ending at this item. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

/** What `toISOString` writes: only such times come out of {@link encodeCursor}. */
const utcIso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Reads a cursor this API gave; anything else (not base64url JSON, another shape, a time or id
 * the API never writes) is a 400 `cursor: not a cursor this API gave`, never a failed query.
 * `isId` says what an id of this list looks like.
 */
export function decodeCursor(cursor: string, isId: (id: string) => boolean): CursorPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (Array.isArray(decoded) && decoded.length === 2) {
    const [at, id] = decoded as unknown[];
    if (
      typeof at === 'string' &&
      utcIso.test(at) &&
      isStorableInstant(at) &&
      typeof id === 'string' &&
      id.length <= 256 &&
      isStorable(id) &&
      isId(id)
    ) {
      return { at, id };
    }
  }
  throw new InvalidRequestError('cursor: not a cursor this API gave', [
    { path: 'cursor', message: 'invalid' },
  ]);
}
