import { parse as parseForm } from 'node:querystring';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import { InvalidRequestError } from '../common/validation';

/**
 * How deeply a request body may nest objects and arrays. The admin API's deepest body (a webhook
 * with its configuration) nests a handful of levels; this leaves ample room.
 */
export const MAX_BODY_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text opens more than `maxDepth` objects and arrays inside one another, read in one
 * pass over the bytes without parsing (brackets inside strings do not count). UTF-8 never uses
 * these byte values inside a multi-byte character, so the bytes can be read as they are.
 */
export function nestsDeeperThan(json: Buffer, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * The admin API's body parsers, in place of Nest's defaults: JSON and form bodies as before, but a
 * JSON body nested deeper than {@link MAX_BODY_DEPTH} is refused with 400 `invalid_request` before
 * it is parsed. Parsed, a body of ten thousands of nested levels is an object graph of megabytes
 * that no schema accepts; bodies over 100 KiB are parsed straight into V8's old generation, so a
 * stream of them grew the heap by hundreds of MiB between full collections.
 */
export function useBodyParsers(app: NestFastifyApplication, maxDepth = MAX_BODY_DEPTH): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(
    onProtoPoisoning ?? 'error',
    onConstructorPoisoning ?? 'error',
  );
  // Registering one parser through Nest replaces all of its defaults, so both are registered here.
  app.useBodyParser<RawServerDefault>('application/json', {}, (request, body, done) => {
    if (nestsDeeperThan(body, maxDepth)) {
      done(
        new InvalidRequestError(
          `The body nests objects and arrays more than ${maxDepth} levels deep`,
        ),
        undefined,
      );
      return;
    }
    parseJson(request, body.toString('utf8'), done);
  });
  app.useBodyParser('application/x-www-form-urlencoded', {}, (_request, body, done) => {
    done(null, parseForm(body.toString()));
  });
}
