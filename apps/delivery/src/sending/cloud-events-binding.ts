import type { CloudEventsMode } from '@switchboard/contracts';

/** Structured mode: the body is the CloudEvent itself. */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** Binary mode: the body is the event's data, of the event's `datacontenttype`. */
export const BINARY_DEFAULT_CONTENT_TYPE = 'application/json';

/** Context attribute names: lower-case ASCII letters and digits (CloudEvents 1.0, naming). */
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;

/** An event as one HTTP request carries it: the body sent and the headers that describe it. */
export interface HttpMessage {
  readonly body: string;
  /** `content-type` and, in binary mode, one `ce-` header per context attribute. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The HTTP message of a stored event (the CloudEvent's JSON, as produced) in the subscription's
 * mode, per the CloudEvents HTTP protocol binding:
 * - `structured`: the event's JSON as it is, `Content-Type: application/cloudevents+json`;
 * - `binary`: the event's `data` as JSON, `Content-Type` from `datacontenttype`
 *   (`application/json`), and every other context attribute in a `ce-<name>` header whose value
 *   is percent-encoded (`encodeHeaderValue`).
 * An event that is not a JSON object (never so on the public topics, which are validated) is sent
 * structured: what was produced is delivered rather than nothing.
 */
export function toHttpMessage(event: string, mode: CloudEventsMode | undefined): HttpMessage {
  if (mode === 'binary') {
    const binary = toBinaryMessage(event);
    if (binary) return binary;
  }
  return { body: event, headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE } };
}

/** Binary mode; null when the event is not a JSON object. */
export function toBinaryMessage(event: string): HttpMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(event);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const attributes = parsed as Record<string, unknown>;
  const contentType =
    typeof attributes.datacontenttype === 'string' && attributes.datacontenttype.length > 0
      ? attributes.datacontenttype
      : BINARY_DEFAULT_CONTENT_TYPE;
  const headers: Record<string, string> = { 'content-type': encodeHeaderValue(contentType) };
  for (const [name, value] of Object.entries(attributes)) {
    // `data` is the body; `datacontenttype` is Content-Type itself, never a ce- header.
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype') continue;
    if (!ATTRIBUTE_NAME.test(name)) continue;
    const text = attributeText(value);
    if (text !== null) headers[`ce-${name}`] = encodeHeaderValue(text);
  }
  const data = attributes.data;
  return { body: data === undefined ? '' : JSON.stringify(data), headers };
}

/**
 * The canonical string of an attribute value (CloudEvents type system): strings as they are,
 * integers in decimal, booleans as `true`/`false`. Values no attribute type has (objects, null,
 * fractions) have no header.
 */
function attributeText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

/**
 * Percent-encodes a header value as the CloudEvents HTTP binding (3.1.3.2) says: characters
 * outside printable ASCII (U+0021–U+007E) are UTF-8 encoded and each byte written `%XX`; so are
 * space (U+0020), double quote (U+0022) and percent (U+0025). Everything else stays as it is, so
 * the result is never encoded twice over and `decodeURIComponent` reads it back.
 */
export function encodeHeaderValue(value: string): string {
  if (PLAIN.test(value)) return value;
  let encoded = '';
  for (const character of value) {
    const code = character.codePointAt(0)!;
    if (code >= 0x21 && code <= 0x7e && code !== 0x22 && code !== 0x25) {
      encoded += character;
    } else {
      for (const byte of Buffer.from(character, 'utf8')) {
        encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  return encoded;
}

/** A value with nothing to encode (the usual case: ids, types, sources). */
const PLAIN = /^[\x21\x23-\x24\x26-\x7e]*$/;
