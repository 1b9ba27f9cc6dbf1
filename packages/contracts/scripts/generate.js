// Writes the committed contract files from the built package (run `npm run build` first):
// schemas/<kebab-name>.schema.json for every named schema (JSON Schema 2020-12) and
// asyncapi.json (AsyncAPI 3) for the topic catalog. Never edit those files by hand; a unit test
// fails when they differ from what this script would write.
const fs = require('node:fs');
const path = require('node:path');

const { contractFiles } = require('../dist/contract-files');

const root = path.join(__dirname, '..');
fs.rmSync(path.join(root, 'schemas'), { recursive: true, force: true });
fs.mkdirSync(path.join(root, 'schemas'), { recursive: true });
const files = contractFiles(require('../package.json').version);
for (const [file, text] of files) fs.writeFileSync(path.join(root, file), text);
console.log(`Wrote ${files.size} contract files (schemas/*.schema.json, asyncapi.json)`);
