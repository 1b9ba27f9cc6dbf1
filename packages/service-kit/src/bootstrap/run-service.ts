import 'reflect-metadata';
import { type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { errorBody } from '../errors/app-error';
import { Logger } from 'nestjs-pino';

export interface RunServiceOptions {
  host: string;
  port: number;
  /** False when the service parses bodies itself (ingress keeps raw bytes). Default true. */
  bodyParser?: boolean;
  /** Fastify server options, e.g. `bodyLimit`. */
  fastify?: FastifyServerOptions;
  /** Last chance to register content-type parsers or hooks before the server listens. */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * Creates the Nest application on Fastify, routes Nest's logs through pino, enables shutdown
 * hooks (SIGTERM finishes in-flight work, commits offsets and leaves consumer groups), and listens.
 */
export async function runService(
  module: Type<unknown> | DynamicModule,
  options: RunServiceOptions,
): Promise<NestFastifyApplication> {
  const app = await createService(module, options);
  await app.listen(options.port, options.host);
  return app;
}

export async function createService(
  module: Type<unknown> | DynamicModule,
  options: Omit<RunServiceOptions, 'host' | 'port'>,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({ frameworkErrors: answerFrameworkError, ...options.fastify }),
    { bufferLogs: true, bodyParser: options.bodyParser ?? true },
  );
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await options.configure?.(app);
  return app;
}

/**
 * Fastify answers some requests before any route or error filter runs: a path that is not valid
 * percent-encoding (400) or a path parameter over the router's length limit (414). They get the
 * same `{"error":{"code","message"}}` body as every other refusal.
 */
const frameworkErrorCodes: Record<string, string> = {
  FST_ERR_BAD_URL: 'malformed_url',
  FST_ERR_MAX_PARAM_LENGTH: 'path_too_long',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode ?? 400;
  void reply
    .code(status)
    .send(errorBody(frameworkErrorCodes[error.code] ?? 'bad_request', error.message));
}

/**
 * Bounds a graceful shutdown: once SIGTERM or SIGINT arrives, the process exits with code 1 if it
 * is still running `timeoutMs` later (a hook waiting on a dead dependency must not keep a stopped
 * instance around). The listeners run once, so the signal Nest raises again after closing still
 * ends the process.
 */
export function limitShutdown(timeoutMs: number): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`shutdown took longer than ${timeoutMs} ms (${signal}); exiting\n`);
        process.exit(1);
      }, timeoutMs).unref();
    });
  }
}

/** Runs `main`, and on a configuration or start-up failure prints it and exits non-zero. */
export function startOrExit(main: () => Promise<INestApplication>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
