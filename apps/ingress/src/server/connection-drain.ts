import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectConfig, ReadinessService } from '@switchboard/service-kit';
import type { FastifyInstance } from 'fastify';
import type { IngressConfig } from '../config/ingress.config';

/**
 * Lets a stopping ingress finish with its clients cleanly. On SIGTERM it reports not ready (so
 * load balancers stop sending), stops accepting connections (a new one is refused: clearly not
 * sent), and goes on storing and answering every webhook that arrives on an open connection as
 * usual, each answer with `Connection: close`, so that every client closes its connection after a
 * complete exchange. Once no connection is left, or `SHUTDOWN_DRAIN_MS` has passed, the server closes what
 * remains. Without this, the server would close kept-alive connections that look idle at the
 * moment a client sends on them, and the client would see the connection reset instead of an
 * answer, not knowing whether its webhook was stored.
 */
@Injectable()
export class ConnectionDrain implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(ConnectionDrain.name);
  private readonly open = new Set<Socket>();
  private draining = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly readiness: ReadinessService,
    @InjectConfig() private readonly config: IngressConfig,
  ) {}

  get isDraining(): boolean {
    return this.draining;
  }

  /** Connections open now. */
  get connections(): number {
    return this.open.size;
  }

  onModuleInit(): void {
    this.readiness.register({
      name: 'accepting',
      check: async () => {
        if (this.draining) throw new Error('shutting down: draining connections');
      },
    });
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.on('connection', (socket: Socket) => {
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
    });
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', async (_request, reply, payload) => {
      if (this.draining) void reply.header('connection', 'close');
      return payload;
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    // The listening socket only: http.Server's own close() would also drop idle connections.
    if (server.listening) NetServer.prototype.close.call(server);
    const started = Date.now();
    const deadline = started + this.config.SHUTDOWN_DRAIN_MS;
    while (this.open.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    this.logger.log(
      { tookMs: Date.now() - started, connectionsLeft: this.open.size },
      'Connections drained; closing the server',
    );
  }
}
