import { join } from 'node:path';
import type { RawInboundEnvelope } from '@switchboard/contracts';
import { Piscina } from 'piscina';
import type { BulkMappingTask } from './bulk-mapping.worker';
import type { NormalizedEnvelope } from './normalize-envelope';

/**
 * Maps the bulk lane's webhooks in a worker thread, off the event loop the raw topic's webhooks
 * are handled on: a batch of 5,000 statuses takes a few hundred milliseconds of parsing, mapping
 * and validation, which would otherwise hold up every small webhook of every business arriving
 * meanwhile. One thread (the lane maps one webhook at a time), started when a bulk webhook comes
 * and ended after {@link IDLE_THREAD_MS} without one.
 */
export class BulkMapper {
  private pool: Piscina | undefined;

  map(
    envelope: RawInboundEnvelope,
    maxEventsPerWebhook: number,
    failedAt: string,
  ): Promise<NormalizedEnvelope> {
    this.pool ??= new Piscina({
      filename: join(__dirname, `bulk-mapping.worker${extname}`),
      minThreads: 0,
      maxThreads: 1,
      // A thread idle this long ends, and its heap with it: floods are rare, memory is not free.
      idleTimeout: IDLE_THREAD_MS,
      // Run from TypeScript sources (tests), the worker needs the same loader as this thread.
      execArgv: extname === '.ts' ? ['--import', 'tsx'] : [],
    });
    const task: BulkMappingTask = { envelope, maxEventsPerWebhook, failedAt };
    return this.pool.run(task) as Promise<NormalizedEnvelope>;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }
}

/** How long the mapping thread stays without work before it ends. */
export const IDLE_THREAD_MS = 30_000;

/** `.js` when running built, `.ts` when running from sources. */
const extname = __filename.endsWith('.ts') ? '.ts' : '.js';
