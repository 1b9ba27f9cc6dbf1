import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** What the pre-commit configuration would run for these staged TypeScript files. */
function typeChecksFor(files: string[]): string[] {
  const script =
    `import(${JSON.stringify(path.join(ROOT, 'lint-staged.config.mjs'))})` +
    `.then((m) => console.log(JSON.stringify(m.default['*.{ts,tsx}'](${JSON.stringify(files)}))))`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[];
}

describe('pre-commit check', () => {
  it('type-checks each project a staged TypeScript file belongs to, once', () => {
    // given staged files in two apps (two of them in one app), a package, and the e2e suite
    const files = [
      'apps/delivery/src/main.ts',
      'apps/delivery/src/deliveries/outcome-writer.ts',
      'apps/ingress/src/main.ts',
      'packages/kafka/src/retry-transient.ts',
      'e2e/src/chaos/scenario.ts',
    ].map((f) => path.join(ROOT, f));

    // then one tsc run per project, none for a file twice
    expect(typeChecksFor(files)).toEqual([
      'tsc --noEmit -p apps/delivery/tsconfig.json',
      'tsc --noEmit -p apps/ingress/tsconfig.json',
      'tsc --noEmit -p e2e/tsconfig.json',
      'tsc --noEmit -p packages/kafka/tsconfig.json',
    ]);
  });

  it('runs no type check for a file outside every project', () => {
    expect(typeChecksFor([path.join(ROOT, 'eslint.config.mjs')])).toEqual([]);
  });
});
