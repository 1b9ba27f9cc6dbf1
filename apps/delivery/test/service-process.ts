import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '@switchboard/testing';

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
    {
      cwd: appRoot,
      stdio: 'inherit',
    },
  );
}

/** The built delivery service (`node dist/main.js`) as a child process. */
export class DeliveryProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

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
          throw new Error(
            `delivery exited (${this.child?.exitCode}):\n${this.output.slice(-2000)}`,
          );
        }
        const res = await fetch(`http://127.0.0.1:${this.port}/health/ready`).catch(
          () => undefined,
        );
        return res?.status === 200 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, what: 'delivery process ready' },
    );
  }

  /** Sends a signal and resolves once the process is gone. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}
