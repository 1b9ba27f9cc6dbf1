/**
 * Provider timestamps to ISO 8601 UTC. Accepted: unix seconds as a number or a digit string
 * (milliseconds when the value is too large to be seconds), and ISO 8601 date-times with `Z` or
 * an offset, which are converted to UTC. Anything else, or a time outside years 1970-9999, is null.
 */
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Larger values than this (year 5138 in seconds) are taken as milliseconds. */
const MAX_UNIX_SECONDS = 1e11;
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function toUtcIso(value: unknown): string | null {
  if (typeof value === 'number') return fromUnix(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return fromUnix(Number(trimmed));
  const parts = ISO_WITH_ZONE.exec(trimmed);
  if (parts === null || !validFields(parts.slice(1).map(Number))) return null;
  return fromMillis(Date.parse(trimmed));
}

/** Whether year, month, day, hour, minute and second name a real time (no 31 February). */
function validFields([year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0]: number[]) {
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    (Number.isNaN(second) || second <= 59)
  );
}

function fromUnix(value: number): string | null {
  if (!Number.isFinite(value) || value < 0) return null;
  return fromMillis(value >= MAX_UNIX_SECONDS ? value : value * 1000);
}

function fromMillis(ms: number): string | null {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIME_MS) return null;
  // What toISOString() prints (years 1970-9999 have four digits), several times faster; whole
  // seconds print without the `.000`: 2025-06-08T20:59:43Z.
  const time = Math.floor(ms);
  const date = new Date(time);
  const millis = time % 1000;
  return (
    `${date.getUTCFullYear()}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}` +
    `T${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}` +
    `${millis === 0 ? '' : `.${String(millis).padStart(3, '0')}`}Z`
  );
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
