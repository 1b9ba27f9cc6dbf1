import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './infrastructure';
import { eventually } from './test-resources';

export type ServiceName = 'ingress' | 'normalizer' | 'subscriptions' | 'delivery';

const appRoot = (name: ServiceName): string => join(repoRoot(), 'apps', name);
const entryOf = (name: ServiceName): string => join(appRoot(name), 'dist', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!/\.(int-|e2e-)?spec\.ts$/.test(entry.name))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the service's `dist/` when it is missing or older than its sources, so that a test
 * starting it runs the current code.
 */
export function ensureBuilt(name: ServiceName): void {
  let built = 0;
  try {
    built = statSync(entryOf(name)).mtimeMs;
  } catch {
    built = 0;
  }
  if (built >= newestSource(join(appRoot(name), 'src'))) return;
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: appRoot(name), stdio: 'inherit' },
  );
}

/**
 * A built service (`node apps/<name>/dist/main.js`) started as its own process on 127.0.0.1, the
 * way `./sb start` and the containers run it.
 */
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

  /** What the process wrote to stdout and stderr so far. */
  get logs(): string {
    return this.output;
  }

  start(): void {
    this.child = spawn(process.execPath, [entryOf(this.name)], {
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  /** Resolves once `/health/ready` answers 200; fails at once when the process exits. */
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

  /** Resident memory of the process, in bytes (from /proc, so Linux only). */
  residentBytes(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`${this.name} not started`);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    if (kib === undefined) throw new Error(`No VmRSS for process ${pid}`);
    return Number(kib) * 1024;
  }
}
