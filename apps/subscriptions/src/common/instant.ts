import { z } from 'zod';

/** `±hh:mm` at the end of an ISO 8601 date-time. */
const offsetPattern = /([+-])(\d\d):(\d\d)$/;

/**
 * Whether PostgreSQL takes the date-time as a `timestamptz`: a year from 0001 to 9999 (it has no
 * year 0000) and a UTC offset within ±15:59 (it refuses larger displacements).
 */
export function isStorableInstant(value: string): boolean {
  const year = Number(value.slice(0, 4));
  if (!Number.isInteger(year) || year < 1) return false;
  const offset = offsetPattern.exec(value);
  if (offset && Number(offset[2]) > 15) return false;
  return !Number.isNaN(Date.parse(value));
}

const instantMessage =
  'must be a date-time with offset such as 2026-01-31T09:30:00Z (years 0001 to 9999, offset within ±15:59)';

/** A point in time in a query or body: ISO 8601 with an offset, and one PostgreSQL can store. */
export const Instant = z.iso
  .datetime({ offset: true, error: () => instantMessage })
  .refine(isStorableInstant, { error: instantMessage });

/**
 * For a query's `.refine`: `until` must come after `since` when both are given (a range that
 * cannot hold anything is a mistake, and says so instead of answering an empty page).
 */
export function untilAfterSince(range: { since?: string; until?: string }): boolean {
  return !range.since || !range.until || Date.parse(range.since) < Date.parse(range.until);
}

/** The error `untilAfterSince` gives, on `until`. */
export const UNTIL_AFTER_SINCE = { path: ['until'], error: 'must be after since' };
