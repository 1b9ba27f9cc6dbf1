import { Body, Controller, Module, Post } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HttpErrorFilter } from '@switchboard/service-kit';
import { MAX_BODY_DEPTH, nestsDeeperThan, useBodyParsers } from './body-parsers';

const reached: unknown[] = [];

@Controller()
class EchoController {
  @Post('echo')
  echo(@Body() body: unknown): unknown {
    reached.push(body);
    return { body };
  }
}

@Module({
  controllers: [EchoController],
  providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
})
class EchoModule {}

const nestedObjects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const nestedArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe(nestsDeeperThan.name, () => {
  it('counts objects and arrays opened inside one another', () => {
    expect(nestsDeeperThan(Buffer.from(nestedObjects(3)), 3)).toBe(false);
    expect(nestsDeeperThan(Buffer.from(nestedObjects(4)), 3)).toBe(true);
    expect(nestsDeeperThan(Buffer.from('[[1],[2],{"a":[3]}]'), 3)).toBe(false);
    expect(nestsDeeperThan(Buffer.from('[[[[]]]]'), 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const body = JSON.stringify({ name: `\\"${'[{'.repeat(100)}"\u00e9` });
    expect(nestsDeeperThan(Buffer.from(body), 1)).toBe(false);
  });
});

describe(useBodyParsers.name, () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(EchoModule, new FastifyAdapter(), {
      logger: false,
    });
    useBodyParsers(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    reached.length = 0;
  });

  const post = (contentType: string, payload: string) =>
    app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': contentType }, payload });

  it.each([
    ['objects', nestedObjects(50_000)],
    ['arrays', nestedArrays(50_000)],
    ['objects one level too deep', nestedObjects(MAX_BODY_DEPTH + 1)],
  ])('refuses a body of %s nested past the limit with 400, before any handler', async (_, body) => {
    // when a JSON body nests deeper than the admin API accepts
    const res = await post('application/json', body);

    // then it is answered with the documented error body and never reaches a handler
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: `The body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep`,
      },
    });
    expect(reached).toEqual([]);
  });

  it('refuses a stream of deeply nested bodies without the heap growing by their parsed size', async () => {
    // given bodies of 50,000 nested objects (250 KB each; parsed, several MB each)
    const body = nestedObjects(50_000);
    const gc = (global as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().heapUsed;

    // when 200 of them are sent
    for (let i = 0; i < 200; i++) {
      expect((await post('application/json', body)).statusCode).toBe(400);
    }

    // then no parsed graph is left behind to collect: the heap grew by far less than one body
    // parsed per request would take (200 × ~2 MB), even before any collection
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('parses a body at the limit, JSON and forms as before', async () => {
    const atLimit = await post('application/json', nestedObjects(MAX_BODY_DEPTH));
    expect(atLimit.statusCode).toBe(201);

    const json = await post('application/json; charset=utf-8', '{"name":"[{ not nesting }]"}');
    expect(json.json()).toEqual({ body: { name: '[{ not nesting }]' } });

    const form = await post('application/x-www-form-urlencoded', 'name=x&provider=meta');
    expect(form.json()).toEqual({ body: { name: 'x', provider: 'meta' } });
  });

  it('still answers malformed and poisoned JSON as before', async () => {
    const malformed = await post('application/json', '{"name": "x",}');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('bad_request');

    const poisoned = await post('application/json', '{"__proto__": {"admin": true}}');
    expect(poisoned.statusCode).toBe(400);
    expect(reached).toEqual([]);
  });
});
