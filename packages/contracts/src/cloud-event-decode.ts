import { CloudEvent, EventProvider } from './cloud-event';
import { Environment, IsoDateTime, SubscriptionTopic } from './common';

/**
 * Decoding a CloudEvent is what every consumer of the public topics does per record, and zod's
 * generic object and record machinery costs several times the checks themselves. This accepts
 * what is plainly valid — every attribute of the expected type and within bounds — and builds the
 * very value `CloudEvent.parse` would (attributes in schema order, extensions after them in their
 * order, `data` shallow-copied); anything else is left to zod, which decides and explains. It only
 * ever sees values fresh from JSON.parse: plain objects, string keys, no undefined values.
 */

const attributeNames = Object.keys(CloudEvent.shape);
const declared = new Set(attributeNames);
/** The attributes checked below; should the schema ever differ, zod decides everything. */
const checked = [
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'datacontenttype',
  'businessid',
  'topic',
  'environment',
  'provider',
  'rawid',
  'channel',
  'data',
];
export const plainCloudEventCheckApplies = attributeNames.join() === checked.join();
const topics = new Set<unknown>(SubscriptionTopic.options);
const environments = new Set<unknown>(Environment.options);
const providers = new Set<unknown>(
  EventProvider.options.flatMap((option) =>
    'options' in option ? option.options : [...option.values],
  ),
);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

/** `Id`: 1 to 256 characters. */
function isId(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= 256;
}

function isNonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1;
}

/** `channel`: 1 to 64 characters. */
function isChannel(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= 64;
}

/** What `CloudEvent.parse` gives for a plainly valid JSON value; undefined for anything else. */
export function parsePlainCloudEvent(value: unknown): CloudEvent | undefined {
  if (!plainCloudEventCheckApplies || !isPlainObject(value)) return undefined;
  const event = value;
  if (
    event.specversion !== '1.0' ||
    !isId(event.id) ||
    !isNonEmpty(event.source) ||
    !isNonEmpty(event.type) ||
    typeof event.time !== 'string' ||
    ('subject' in event && !isNonEmpty(event.subject)) ||
    event.datacontenttype !== 'application/json' ||
    !isId(event.businessid) ||
    !topics.has(event.topic) ||
    !environments.has(event.environment) ||
    !providers.has(event.provider) ||
    ('rawid' in event && !isNonEmpty(event.rawid)) ||
    ('channel' in event && !isChannel(event.channel)) ||
    !isPlainObject(event.data) ||
    !IsoDateTime.safeParse(event.time).success
  ) {
    return undefined;
  }
  const parsed: Record<string, unknown> = {};
  for (const name of attributeNames) {
    if (name in event) parsed[name] = name === 'data' ? copyOf(event.data) : event[name];
  }
  // Extensions pass through, as the schema's catch-all does; __proto__ is never copied.
  for (const name in event) {
    if (!declared.has(name) && name !== '__proto__') parsed[name] = event[name];
  }
  return parsed as CloudEvent;
}

/** `data` as the schema's string-keyed record gives it: a shallow copy without __proto__. */
function copyOf(data: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    if (key !== '__proto__') copy[key] = data[key];
  }
  return copy;
}
