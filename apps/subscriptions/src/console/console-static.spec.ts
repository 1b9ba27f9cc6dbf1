import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { serveConsole } from './console-static';

/** The part of the Nest application serveConsole uses, over a bare Fastify server. */
function appOver(fastify: FastifyInstance): NestFastifyApplication {
  return { getHttpAdapter: () => ({ getInstance: () => fastify }) } as NestFastifyApplication;
}

describe(serveConsole.name, () => {
  let dir: string;
  let fastify: FastifyInstance;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-'));
    fastify = Fastify();
  });
  afterEach(async () => {
    await fastify.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the built page and its assets under /console/, with a content security policy', async () => {
    // given a build
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'app-abc123.js'), 'console.log(1)');
    serveConsole(appOver(fastify), dir);

    // when the page and an asset are asked for
    const page = await fastify.inject({ url: '/console/' });
    const asset = await fastify.inject({ url: '/console/app-abc123.js' });
    const bare = await fastify.inject({ url: '/console' });

    // then both are served, the page never cached, and /console leads to /console/
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>console</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/console/');
  });

  it('answers 503 with how to build it when the console was not built', async () => {
    serveConsole(appOver(fastify), join(dir, 'missing'));

    const page = await fastify.inject({ url: '/console/' });
    const bare = await fastify.inject({ url: '/console' });

    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build -w @switchboard/console');
    expect(bare.statusCode).toBe(503);
  });
});
