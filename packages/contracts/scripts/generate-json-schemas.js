// Writes schemas/<kebab-name>.schema.json for every named schema, derived from the zod schemas
// in the built package (run after `tsc`). The files are build output; never edit them by hand.
const fs = require('node:fs');
const path = require('node:path');

const { namedSchemaNames, jsonSchemaFileName, toJsonSchema } = require('../dist');

const outDir = path.join(__dirname, '..', 'schemas');
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

for (const name of namedSchemaNames) {
  const file = path.join(outDir, jsonSchemaFileName(name));
  fs.writeFileSync(file, `${JSON.stringify(toJsonSchema(name), null, 2)}\n`);
}
console.log(
  `Wrote ${namedSchemaNames.length} JSON Schemas to ${path.relative(process.cwd(), outDir)}/`,
);
