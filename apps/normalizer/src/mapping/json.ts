/**
 * Reading provider JSON without trusting it: every reader takes `unknown` and answers a value of
 * the asked type or null, so a mapper never throws on a missing or oddly typed field.
 */
export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as an object, or null. */
export function record(value: unknown): JsonRecord | null {
  return isRecord(value) ? value : null;
}

/** An own field of an object (never one inherited from its prototype). */
export function field(value: unknown, key: string): unknown {
  return isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/** A nested own field, e.g. `path(change, 'value', 'metadata', 'phone_number_id')`. */
export function path(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = field(current, key);
  return current;
}

/** The value as an array; anything else is an empty list. */
export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A string exactly as sent, or null. */
export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Text that may arrive as a string or a number (ids, phone numbers); exactly as sent. */
export function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** An identifier: text that is not empty, exactly as sent (never trimmed or re-cased). */
export function id(value: unknown): string | null {
  const t = text(value);
  return t === null || t.length === 0 ? null : t;
}

/** A finite number, also from a numeric string (`"12.5"`). */
export function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** The first of the named own fields that holds a non-empty identifier. */
export function firstId(value: unknown, ...keys: string[]): string | null {
  for (const key of keys) {
    const found = id(field(value, key));
    if (found !== null) return found;
  }
  return null;
}

/** The first of the named own fields that holds a string. */
export function firstStr(value: unknown, ...keys: string[]): string | null {
  for (const key of keys) {
    const found = str(field(value, key));
    if (found !== null) return found;
  }
  return null;
}

/**
 * Parses JSON text keeping every integer exact: an integer too large for a double (a 19-digit
 * provider id) becomes its digits as a string instead of a rounded number.
 * @throws SyntaxError when the text is not JSON.
 */
export function parseJsonExact(textValue: string): unknown {
  // A reviver makes JSON.parse several times slower, and the document almost never needs it: a
  // plain parse whose numbers all lie within the safe integers is exactly what the reviver gives.
  const plain = JSON.parse(textValue) as unknown;
  if (!mayNeedReviver(plain, 0)) return plain;
  return JSON.parse(textValue, function revive(
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

/** Deeper documents are left to the reviver, which then fails or not exactly as it always did. */
const MAX_CHECKED_DEPTH = 256;

/**
 * Whether the reviver could answer something else than a plain parse: a number beyond the safe
 * integers (every integer written as digits alone within them is exact, and anything beyond is an
 * integer or infinite), or nesting deeper than is worth checking.
 */
function mayNeedReviver(value: unknown, depth: number): boolean {
  if (typeof value === 'number') {
    return value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER;
  }
  if (typeof value !== 'object' || value === null) return false;
  if (depth >= MAX_CHECKED_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (mayNeedReviver(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (mayNeedReviver((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}
