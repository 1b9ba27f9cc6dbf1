import {
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  timingSafeEqual,
} from 'node:crypto';
import { isStorableInstant } from './instant';
import { InvalidRequestError, isStorable } from './validation';

/** Where a page of a time-ordered list ended: the last item's time and id. */
export interface CursorPosition {
  /** ISO 8601 in UTC, as the API wrote it. */
  at: string;
  id: string;
}

/** The paged lists; a cursor of one is refused by the others. */
export type PagedList = 'deliveries' | 'events' | 'inbound-dead-letters' | 'outbound-dead-letters';

/** HKDF `info` of the cursor key: a new label gives a new key, unrelated to the data key. */
const CURSOR_KEY_INFO = 'switchboard cursor v1';
const KEY_BYTES = 32;
/** HMAC-SHA256 truncated to 128 bits. */
const TAG_BYTES = 16;
/** `<payload>.<tag>`, both base64url. */
const CURSOR_FORMAT = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/;
/** What `toISOString` writes: only such times come out of {@link CursorCodec.encode}. */
const utcIso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * The key that signs cursors, derived (HKDF-SHA256) from a data key, so that it needs no setting
 * of its own and is never the key that seals secrets.
 */
export function deriveCursorKey(dataKey: Buffer): KeyObject {
  const derived = hkdfSync('sha256', dataKey, Buffer.alloc(0), CURSOR_KEY_INFO, KEY_BYTES);
  return createSecretKey(Buffer.from(derived));
}

/**
 * A signed cursor of `list` holding `payload` (JSON). {@link CursorCodec.encode} writes only
 * positions; tests also sign positions the API never writes, to check they are refused anyway.
 */
export function signCursor(key: KeyObject, list: PagedList, payload: unknown): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${tagOf(key, list, body).toString('base64url')}`;
}

function tagOf(key: KeyObject, list: PagedList, body: string): Buffer {
  return createHmac('sha256', key).update(`${list}.${body}`).digest().subarray(0, TAG_BYTES);
}

/**
 * The one codec of every paged endpoint, REST and gRPC: a cursor is the page's last position,
 * signed (HMAC-SHA256, a key derived from the first data key) together with the list it pages,
 * so that it is opaque to callers and cannot be altered, made up or taken to another list.
 */
export class CursorCodec {
  constructor(private readonly key: KeyObject) {}

  /** The opaque `nextCursor` of a page of `list` ending at this item. */
  encode(list: PagedList, at: Date, id: string): string {
    return signCursor(this.key, list, [at.toISOString(), id]);
  }

  /**
   * Reads a cursor this API gave for `list`; anything else (unsigned, altered, signed with
   * another key or for another list, or a position the API never writes) is a 400
   * `cursor: not a cursor this API gave`, never a failed query. `isId` says what an id of this
   * list looks like.
   */
  decode(list: PagedList, cursor: string, isId: (id: string) => boolean): CursorPosition {
    const position = this.authentic(list, cursor) ? positionOf(cursor) : null;
    if (position && isId(position.id)) return position;
    throw new InvalidRequestError('cursor: not a cursor this API gave', [
      { path: 'cursor', message: 'invalid' },
    ]);
  }

  private authentic(list: PagedList, cursor: string): boolean {
    const [, body, tagText] = CURSOR_FORMAT.exec(cursor) ?? [];
    if (body === undefined || tagText === undefined) return false;
    const tag = Buffer.from(tagText, 'base64url');
    // Only the canonical spelling of the tag: no second cursor for the same position
    if (tag.toString('base64url') !== tagText) return false;
    return timingSafeEqual(tag, tagOf(this.key, list, body));
  }
}

function positionOf(cursor: string): CursorPosition | null {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor.slice(0, cursor.indexOf('.')), 'base64url').toString());
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) return null;
  const [at, id] = decoded as unknown[];
  const valid =
    typeof at === 'string' &&
    utcIso.test(at) &&
    isStorableInstant(at) &&
    typeof id === 'string' &&
    id.length <= 256 &&
    isStorable(id);
  return valid ? { at, id } : null;
}
