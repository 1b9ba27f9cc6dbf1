import { errorBody } from '@switchboard/service-kit';
import type { FastifyInstance } from 'fastify';
import { isStorable } from './validation';

/**
 * A path parameter PostgreSQL cannot store (a NUL character, an unpaired surrogate) names nothing
 * this API holds: such a request answers `404 not_found` before a query fails on it with a 500.
 * (Bodies and query strings are checked by `parseInput`.)
 */
export function refuseUnstorableParams(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', async (request, reply) => {
    const params = (request.params ?? {}) as Record<string, unknown>;
    const bad = Object.keys(params).find((name) => {
      const value = params[name];
      return typeof value === 'string' && !isStorable(value);
    });
    if (bad === undefined) return;
    await reply.code(404).send(errorBody('not_found', `No such ${bad}`));
    return reply;
  });
}
