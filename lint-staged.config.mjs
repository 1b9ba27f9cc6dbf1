// What the pre-commit hook runs on the staged files (see CONTRIBUTING.md): format, lint, and the
// types of every package (app, package, e2e, bench, scripts) a staged TypeScript file belongs to.
// The checks only read: they never rewrite or restage a file, and the hook runs lint-staged with
// --no-stash --no-hide-partially-staged, so it touches neither the index nor the working tree (a
// file with unstaged changes is checked as it is on disk). Fix what they report with
// `npm run format` and `npx eslint --fix <files>`, then stage again.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/** The nearest folder above `file`, inside the repository, with a tsconfig.json of its own. */
function projectOf(file) {
  for (let dir = dirname(resolve(file)); dir.startsWith(root) && dir !== root; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.json'))) return dir;
  }
  return undefined;
}

/** One `tsc --noEmit` per project that a staged TypeScript file belongs to. */
export function typeChecks(files) {
  const projects = new Set(files.map(projectOf).filter((p) => p !== undefined));
  return [...projects]
    .sort()
    .map((p) => `tsc --noEmit -p ${join(relative(root, p) || '.', 'tsconfig.json')}`);
}

export default {
  '*.{ts,tsx,js,mjs,cjs}': [
    'eslint --max-warnings 0 --no-warn-ignored',
    'prettier --check --ignore-unknown',
  ],
  '*.{ts,tsx}': (files) => typeChecks(files),
  '*.{json,md,yml,yaml,css,html}': 'prettier --check --ignore-unknown',
};
