import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { eventually, repoRoot, testKafkaBrokers } from '@switchboard/testing';

export type ServiceName = 'ingress' | 'normalizer' | 'subscriptions' | 'delivery';

/** A built service started as its own process, the way `./sb start` and the containers run it. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** True while the process runs (false before start, after it exited or was killed). */
  get isRunning(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  get logs(): string {
    return this.output;
  }

  start(): void {
    const entry = join(repoRoot(), 'apps', this.name, 'dist', 'main.js');
    this.child = spawn(process.execPath, [entry], {
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await eventually(
      async () => {
        if (this.child?.exitCode !== null) {
          throw new Error(
            `${this.name} exited (${this.child?.exitCode}):\n${this.output.slice(-2000)}`,
          );
        }
        const res = await fetch(`${this.url}/health/ready`).catch(() => undefined);
        return res?.status === 200 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, what: `${this.name} ready` },
    );
  }

  /** Sends a signal and resolves with how the process ended. */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<{ code: number | null; signal: string | null }> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    }
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    child.kill(signal);
    const [code, sig] = await exited;
    return { code, signal: sig };
  }

  /** Resolves when the process exits by itself. */
  async exited(): Promise<number | null> {
    const child = this.child;
    if (!child) throw new Error('not started');
    if (child.exitCode !== null) return child.exitCode;
    const [code] = (await once(child, 'exit')) as [number | null];
    return code;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object'
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface StackOptions {
  /** This run's topic prefix. */
  prefix: string;
  databaseUrl: string;
  operatorKey: string;
  /** The admin API's gRPC port (a free one when not given). */
  grpcPort?: number;
  /** More settings for every service, e.g. DATABASE_MIGRATIONS. */
  env?: Record<string, string>;
}

/**
 * Starts services as processes of one stack into `services`: one topic prefix, database and
 * operator key, ingress's public URL for the sources' webhook URLs, and subscribers on this
 * machine allowed. Does not wait for them to be ready.
 */
export async function startServices(
  services: Map<ServiceName, ServiceProcess>,
  names: readonly ServiceName[],
  options: StackOptions,
): Promise<void> {
  const ingressPort = await freePort();
  for (const name of names) {
    const service = new ServiceProcess(name, name === 'ingress' ? ingressPort : await freePort(), {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: options.prefix,
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: 'warn',
      OPERATOR_API_KEY: options.operatorKey,
      PUBLIC_INGRESS_URL: `http://127.0.0.1:${ingressPort}`,
      // The subscribers run on this machine: an operator allowlist lets the services reach them.
      ALLOW_HTTP_ADDRESSES: 'true',
      ADDRESS_ALLOWLIST: '127.0.0.1/32',
      GRPC_PORT: String(options.grpcPort ?? (await freePort())),
      ...options.env,
    });
    services.set(name, service);
    service.start();
  }
}
