import type { CloudEvent, SubscriptionRecord } from '@switchboard/contracts';
import picomatch from 'picomatch';
import { type EventFields, eventFields } from './event-fields';

/** The event type of a message the business sent itself, delivered only to `echo` subscriptions. */
export const ECHO_EVENT_TYPE = 'whatsapp.message.echoed';

/** The only channel events come from today; an event that names none is on it. */
export const DEFAULT_CHANNEL = 'whatsapp';

/** Why an event does not go to a subscription. */
export type Mismatch =
  'business' | 'topic' | 'environment' | 'event_type' | 'channel_type' | 'echo' | 'filter';

export type MatchResult =
  { readonly matched: true } | { readonly matched: false; reason: Mismatch };

type Test = (value: string) => boolean;

const globOptions = { dot: true } as const;

/**
 * Equal to the expression, or matched by it as a glob when it has glob characters (so a literal
 * value such as `Sale (spring)` still matches itself); a glob picomatch refuses matches nothing
 * but itself.
 */
function compileGlob(expression: string): Test {
  const equal: Test = (value) => value === expression;
  if (!/[*?[\]{}()!+@]/.test(expression)) return equal;
  let glob: Test;
  try {
    glob = picomatch(expression, globOptions);
  } catch {
    return equal;
  }
  return (value) => value === expression || glob(value);
}

/** The channel an event came through: the `channel` attribute or data field, else WhatsApp. */
function channelOf(event: CloudEvent): string {
  const attribute = (event as Record<string, unknown>).channel;
  if (typeof attribute === 'string' && attribute.length > 0) return attribute;
  const field = event.data.channel;
  if (typeof field === 'string' && field.length > 0) return field;
  return DEFAULT_CHANNEL;
}

/**
 * One subscription's matching rules, compiled once per record version: business and topic,
 * `environments` and `eventTypes` (absent = all; event types may be globs such as
 * `platform.campaign.*`), `channelTypes` (empty = all), `echo`, and every filter (a picomatch
 * glob over a named event field; an event without the field does not match).
 */
export class SubscriptionMatcher {
  private readonly eventTypes: Test[] | null;
  private readonly filters: { field: keyof EventFields; test: Test }[];
  private readonly channels: ReadonlySet<string> | null;

  constructor(private readonly record: SubscriptionRecord) {
    const { configuration } = record;
    this.eventTypes = configuration.eventTypes ? configuration.eventTypes.map(compileGlob) : null;
    this.filters = configuration.filters.map((f) => ({
      field: f.field,
      test: compileGlob(f.expression),
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
