import type { FastifyRequest } from 'fastify';

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

/** What Fastify is told a webhook body is, so that its one parser reads it as bytes. */
const readAsBytes = 'application/octet-stream';
/** The Content-Type each admitted webhook came with, while Fastify reads its body as bytes. */
const declaredTypes = new WeakMap<FastifyRequest, string>();

/**
 * Has Fastify read the body as bytes whatever its declared type (even one Fastify cannot read):
 * the request is verified before its type matters. `restoreContentType` puts the type back.
 */
export function readBodyAsBytes(request: FastifyRequest): void {
  const declared = request.headers['content-type'];
  if (declared === undefined) return;
  declaredTypes.set(request, declared);
  request.headers['content-type'] = readAsBytes;
}

/** Puts back the Content-Type a request came with, once its body is read (or refused). */
export function restoreContentType(request: FastifyRequest): void {
  const declared = declaredTypes.get(request);
  if (declared !== undefined) request.headers['content-type'] = declared;
}
