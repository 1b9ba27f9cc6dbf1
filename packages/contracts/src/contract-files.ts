import { asyncApiDocument } from './asyncapi';
import { jsonSchemaFileName, namedSchemaNames, toJsonSchema } from './json-schemas';

function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * The files this package publishes beside its code, by path relative to the package: one JSON
 * Schema per named schema under `schemas/`, and `asyncapi.json` for the topic catalog.
 */
export function contractFiles(version: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of namedSchemaNames) {
    files.set(`schemas/${jsonSchemaFileName(name)}`, pretty(toJsonSchema(name)));
  }
  files.set('asyncapi.json', pretty(asyncApiDocument(version)));
  return files;
}
