import {
  type CloudEvent,
  compileGlob,
  type Glob,
  GLOB_LIMITS,
  type GlobLimits,
  type SubscriptionRecord,
} from '@switchboard/contracts';
import { type EventFields, eventFields } from './event-fields';

/** The event type of a message the business sent itself, delivered only to `echo` subscriptions. */
export const ECHO_EVENT_TYPE = 'whatsapp.message.echoed';

/** The channel of an event that names none (events made before the `channel` attribute). */
export const DEFAULT_CHANNEL = 'whatsapp';

/** Why an event does not go to a subscription. */
export type Mismatch =
  'business' | 'topic' | 'environment' | 'event_type' | 'channel_type' | 'echo' | 'filter';

export type MatchResult =
  { readonly matched: true } | { readonly matched: false; reason: Mismatch };

type Test = (value: string) => boolean;

/**
 * A glob sees at most this many leading characters of a value (an event type or a filtered
 * field): with the pattern limits, that bounds what one match can cost whatever the event holds.
 */
export const MAX_MATCHED_LENGTH = 1024;

/**
 * Records on the config topic are not validated again, so patterns registered before the
 * wildcard cap keep working (a `*` costs no more than any other character here); every other
 * limit holds, so the cost of matching a character stays bounded.
 */
const STORED_PATTERN_LIMITS: GlobLimits = { ...GLOB_LIMITS, maxWildcards: Infinity };

/**
 * Equal to the expression, or matched by it as a glob (so a literal value such as `Sale (spring)`
 * still matches itself). A pattern the matcher refuses (a stored one it cannot run within the
 * limits, or with syntax it does not support such as `!(…)`) matches nothing but itself.
 */
function compile(expression: string): Test {
  const equal: Test = (value) => value === expression;
  let glob: Glob;
  try {
    glob = compileGlob(expression, STORED_PATTERN_LIMITS);
  } catch {
    return equal;
  }
  const { literal } = glob;
  if (literal !== null) return (value) => value === expression || value === literal;
  return (value) =>
    value === expression ||
    glob.test(value.length > MAX_MATCHED_LENGTH ? value.slice(0, MAX_MATCHED_LENGTH) : value);
}

/**
 * The channel an event came through: its `channel` attribute (the normalizer sets it for every
 * provider, e.g. Connectly's channelType), else WhatsApp. Never a data field: what a provider put
 * in its payload does not steer routing.
 */
function channelOf(event: CloudEvent): string {
  const { channel } = event;
  return typeof channel === 'string' && channel.length > 0 ? channel : DEFAULT_CHANNEL;
}

/**
 * One subscription's matching rules, compiled once per record version: business and topic,
 * `environments` and `eventTypes` (absent = all; event types may be globs such as
 * `platform.campaign.*`), `channelTypes` (empty = all), `echo`, and every filter (a glob over a
 * named event field, see `compileGlob`; an event without the field does not match). Matching
 * never backtracks: its cost is linear in the first MAX_MATCHED_LENGTH characters of a value.
 */
export class SubscriptionMatcher {
  private readonly eventTypes: Test[] | null;
  private readonly filters: { field: keyof EventFields; test: Test }[];
  private readonly channels: ReadonlySet<string> | null;

  constructor(private readonly record: SubscriptionRecord) {
    const { configuration } = record;
    this.eventTypes = configuration.eventTypes ? configuration.eventTypes.map(compile) : null;
    this.filters = configuration.filters.map((f) => ({
      field: f.field,
      test: compile(f.expression),
    }));
    this.channels =
      configuration.channelTypes.length > 0
        ? new Set(configuration.channelTypes.map((c) => c.toLowerCase()))
        : null;
  }

  match(event: CloudEvent): MatchResult {
    const { configuration } = this.record;
    if (event.businessid !== this.record.businessId) return { matched: false, reason: 'business' };
    if (event.topic !== this.record.topic) return { matched: false, reason: 'topic' };
    if (configuration.environments && !configuration.environments.includes(event.environment)) {
      return { matched: false, reason: 'environment' };
    }
    if (this.eventTypes && !this.eventTypes.some((test) => test(event.type))) {
      return { matched: false, reason: 'event_type' };
    }
    if (this.channels && !this.channels.has(channelOf(event).toLowerCase())) {
      return { matched: false, reason: 'channel_type' };
    }
    if (event.type === ECHO_EVENT_TYPE && !configuration.echo) {
      return { matched: false, reason: 'echo' };
    }
    if (this.filters.length > 0) {
      const fields = eventFields(event);
      for (const filter of this.filters) {
        const value = fields[filter.field];
        if (value === undefined || !filter.test(value)) return { matched: false, reason: 'filter' };
      }
    }
    return { matched: true };
  }
}
