// What the pre-commit hook runs on the staged files (see CONTRIBUTING.md). The checks only read:
// they never rewrite or restage a file, and the hook runs lint-staged with --no-stash
// --no-hide-partially-staged, so it touches neither the index nor the working tree (a file with
// unstaged changes is checked as it is on disk). Fix what they report with `npm run format` and
// `npx eslint --fix <files>`, then stage again.
export default {
  '*.{ts,tsx,js,mjs,cjs}': [
    'eslint --max-warnings 0 --no-warn-ignored',
    'prettier --check --ignore-unknown',
  ],
  '*.{json,md,yml,yaml,css,html}': 'prettier --check --ignore-unknown',
};
