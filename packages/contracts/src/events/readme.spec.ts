import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EventCatalog } from './catalog';
import { eventExamples } from './examples';

/** The `### \`<type>\`` sections of the README and the JSON example each holds. */
function readmeExamples(): Map<string, unknown> {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const sections = new Map<string, unknown>();
  const pattern = /^### `([^`]+)`\n[\s\S]*?```json\n([\s\S]*?)\n```/gm;
  for (const match of readme.matchAll(pattern)) {
    const [, type, json] = match;
    if (type !== undefined && json !== undefined) sections.set(type, JSON.parse(json));
  }
  return sections;
}

describe('README canonical events', () => {
  const documented = readmeExamples();

  it.each(EventCatalog.map((entry) => [entry.type, entry] as const))(
    'documents %s with its current example',
    (type, entry) => {
      // Regenerate with scripts/generate-events-readme.js when this fails.
      expect(documented.get(type)).toEqual(eventExamples[entry.schemaName]);
    },
  );
});
