import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** A process that bounds its shutdown, then hangs in a SIGTERM handler that never finishes. */
const hanging = `
  const { limitShutdown } = require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'index.js'))});
  limitShutdown(Number(process.env.LIMIT_MS));
  process.on('SIGTERM', () => { if (process.env.HANG === '1') setInterval(() => {}, 1000); else process.exit(0); });
  setInterval(() => {}, 1000);
  process.stdout.write('ready\\n');
`;

async function run(hang: boolean): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['-e', hanging], {
    env: { ...process.env, LIMIT_MS: '300', HANG: hang ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await once(child.stdout, 'data');
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('limitShutdown', () => {
  it('ends a process whose shutdown hangs past the limit with code 1, saying why', async () => {
    const ended = await run(true);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('shutdown took longer than 300 ms (SIGTERM)');
  });

  it('leaves a shutdown that finishes in time alone', async () => {
    const ended = await run(false);
    expect(ended.code).toBe(0);
    expect(ended.stderr).toBe('');
  });
});
