import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ConfigTopic, configKey, encode, type SourceRecord } from '@switchboard/contracts';
import { eventually, testKafka } from '@switchboard/testing';
import { metaHeaders, secretOf } from './signing';

const appRoot = join(__dirname, '..');
const entry = join(appRoot, 'dist', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!/\.(int-|e2e-)?spec\.ts$/.test(name.name))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds `dist/` when it is missing or older than the sources, so the test runs current code. */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(entry).mtimeMs;
  } catch {
    built = 0;
  }
  if (built >= newestSource(join(appRoot, 'src'))) return;
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: appRoot, stdio: 'inherit' },
  );
}

/**
 * The built ingress (`node dist/main.js`) as a process of its own, so that what it holds in
 * memory can be measured apart from the test's own.
 */
export class IngressProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logs(): string {
    return this.output;
  }

  start(): void {
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
          throw new Error(`ingress exited (${this.child?.exitCode}):\n${this.output.slice(-2000)}`);
        }
        const res = await fetch(`${this.url}/health/ready`).catch(() => undefined);
        return res?.status === 200 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, what: 'ingress process ready' },
    );
  }

  /** Publishes source records on the config topic of `prefix` (the process's topic prefix). */
  async publishSources(prefix: string, ...sources: SourceRecord[]): Promise<void> {
    const producer = testKafka().producer();
    await producer.connect();
    try {
      await producer.send({
        topic: `${prefix}${ConfigTopic.name}`,
        messages: sources.map((s) => ({ key: configKey(s), value: encode(ConfigTopic, s) })),
      });
    } finally {
      await producer.disconnect();
    }
  }

  /** Resident memory of the process, in bytes (from /proc, so Linux only). */
  residentBytes(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error('ingress not started');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    if (kib === undefined) throw new Error(`No VmRSS for process ${pid}`);
    return Number(kib) * 1024;
  }

  /** Sends a signal and resolves once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
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

/**
 * Posts a signed Meta webhook on a connection of its own; resolves with the status, the
 * `Retry-After` header and the time from sending to the whole answer.
 */
export function postSignedMeta(
  baseUrl: string,
  source: SourceRecord,
  body: Buffer,
): Promise<{ status: number; retryAfter: string | undefined; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${baseUrl}/webhooks/meta/${source.id}`,
      {
        method: 'POST',
        agent: false,
        headers: { ...metaHeaders(secretOf(source), body), 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
