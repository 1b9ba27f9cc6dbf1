/**
 * How ingress treats a webhook body by its declared content type, once the request is verified.
 *
 * Bodies declared as JSON (`application/json`, `text/json`, `application/<anything>+json`), as
 * `text/plain` (Connectly) or with no content type are stored as received, even when they do not
 * parse: the normalizer dead-letters those, and nothing a provider signed is dropped. A body of
 * any other type (`application/octet-stream`, a form, XML, ...) is stored when it is JSON all the
 * same, since providers mislabel JSON; one that is not JSON is refused with 415.
 */
export type BodyVerdict = 'store' | 'not_json';

const storedAsReceived: ReadonlySet<string> = new Set([
  '',
  'application/json',
  'text/json',
  'text/plain',
]);

/** The media type of a Content-Type header: lower case, without parameters. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

export function bodyVerdict(contentType: string, body: Buffer): BodyVerdict {
  const type = mediaTypeOf(contentType);
  if (storedAsReceived.has(type) || type.endsWith('+json')) return 'store';
  return isJson(body) ? 'store' : 'not_json';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(utf8.decode(body));
    return true;
  } catch {
    return false;
  }
}
