// The root's `prepare` script, run by `npm install`: installs the pre-commit hook, which checks the
// staged files with Prettier and ESLint (lint-staged, configured in lint-staged.config.mjs),
// through simple-git-hooks (the hooks are listed under "simple-git-hooks" in package.json).
// Skipped in CI (CI set) and where no hook belongs: outside a Git work tree (a tarball, an image
// build), without the dev dependencies, or with SKIP_INSTALL_SIMPLE_GIT_HOOKS=1 (which
// simple-git-hooks honours). It never fails the install.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

function skip(reason) {
  console.log(`git hooks: not installed (${reason})`);
  process.exit(0);
}

const ci = process.env.CI;
if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') skip('CI');

try {
  execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { stdio: 'ignore' });
} catch {
  skip('not a Git work tree');
}

let cli;
try {
  cli = createRequire(import.meta.url).resolve('simple-git-hooks/cli.js');
} catch {
  skip('simple-git-hooks is not installed: dev dependencies omitted');
}

const result = spawnSync(process.execPath, [cli], { stdio: 'inherit' });
if (result.status !== 0) {
  console.warn('git hooks: simple-git-hooks failed; run `npx simple-git-hooks` to try again');
}
