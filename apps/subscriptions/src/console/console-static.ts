import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Where the console's build lands: apps/console/dist, from this file in src/ or in dist/. */
export const CONSOLE_DIST = resolve(__dirname, '../../../console/dist');
export const CONSOLE_PATH = '/console';

const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const notBuiltPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchboard console</title></head>
<body><h1>The console is not built</h1>
<p>Build it with <code>npm run build -w @switchboard/console</code> (or <code>./sb start</code>, which builds every
workspace), then reload this page. The REST API under <code>/v1</code> and its documentation under
<code>/docs</code> work without it.</p></body></html>`;

/**
 * Serves the web console (apps/console's static build) under /console/. When it was not built,
 * /console answers 503 with a page that says how to build it; the API is unaffected.
 */
export function serveConsole(app: NestFastifyApplication, dist = CONSOLE_DIST): void {
  const fastify = app.getHttpAdapter().getInstance();
  if (!existsSync(join(dist, 'index.html'))) {
    const notBuilt = (_request: unknown, reply: import('fastify').FastifyReply) =>
      reply.code(503).header('content-type', 'text/html; charset=utf-8').send(notBuiltPage);
    fastify.get(CONSOLE_PATH, notBuilt);
    fastify.get(`${CONSOLE_PATH}/*`, notBuilt);
    return;
  }
  fastify.get(CONSOLE_PATH, (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 301));
  void fastify.register(fastifyStatic, {
    root: dist,
    prefix: `${CONSOLE_PATH}/`,
    // the API docs registered the plugin already: one reply decorator is enough
    decorateReply: false,
    cacheControl: false,
    wildcard: true,
    setHeaders: (res, path) => {
      res.setHeader('content-security-policy', CONSOLE_CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      // hashed asset names may be cached for good; the page itself never
      res.setHeader(
        'cache-control',
        path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
}
