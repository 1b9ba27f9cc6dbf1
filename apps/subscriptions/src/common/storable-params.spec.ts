import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { refuseUnstorableParams } from './storable-params';

describe(refuseUnstorableParams.name, () => {
  let fastify: FastifyInstance;

  beforeEach(async () => {
    fastify = new FastifyAdapter().getInstance() as unknown as FastifyInstance;
    refuseUnstorableParams(fastify);
    fastify.get('/sources/:sourceId', async () => ({ reached: true }));
    await fastify.ready();
  });
  afterEach(() => fastify.close());

  it.each(['src_a%00b', '%00', 'null%00'])(
    'answers 404 not_found for a parameter with a NUL character (%s)',
    async (id) => {
      // when a path parameter carries a character PostgreSQL cannot store
      const res = await fastify.inject({ method: 'GET', url: `/sources/${id}` });

      // then the handler is not reached and the answer is the documented error body
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No such sourceId' } });
    },
  );

  it('lets an ordinary parameter through', async () => {
    const res = await fastify.inject({ method: 'GET', url: '/sources/src_abc%20d' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ reached: true });
  });
});
