import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import {
  describeVariable,
  END_MARKER,
  formatDefault,
  REGENERATE_COMMAND,
  replaceTable,
  ROOT,
  SERVICES,
  START_MARKER,
  variablesOf,
} from './env-tables';

const SCRIPT = path.join(__dirname, 'env-tables.ts');

describe('environment tables in the READMEs', () => {
  it('match every service config schema', () => {
    // when the tables are rendered again from the schemas and compared with the READMEs
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_ENV;
    const check = spawnSync(process.execPath, [require.resolve('tsx/cli'), SCRIPT, '--check'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });

    // then none is stale (else the check names each README and the command that rewrites it)
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    // (tsx compiles the four services' config modules first: seconds on a busy machine)
  }, 60_000);

  it('describe every variable with the schema text', () => {
    const undescribed = SERVICES.flatMap((service) =>
      variablesOf(service.schema)
        .filter((v) => v.description === null)
        .map((v) => `${service.name}: ${v.name} has no .describe() text`),
    );
    expect(undescribed).toEqual([]);
  });
});

describe(describeVariable.name, () => {
  const schema = z
    .object({
      REQUIRED: z.string().describe('must be given'),
      OPTIONAL: z.string().min(1).optional().describe('may be left out'),
      NUMBER: z.coerce.number().int().default(5).describe('a number'),
      LIST: z
        .string()
        .transform((v) => v.split(','))
        .default(['a', 'b'])
        .describe('a list'),
      EMPTY: z
        .string()
        .default('')
        .transform((v) => v.length)
        .describe('empty by default'),
      FLAG: z
        .enum(['true', 'false'])
        .transform((v) => v === 'true')
        .default(false),
      COMPUTED: z.string().default(() => 'made'),
    })
    .transform((config) => ({ ...config, extra: 1 }));

  it('reads defaults, optionality and descriptions through wrappers and transforms', () => {
    // when the variables of a transformed schema are read
    const table = Object.fromEntries(
      variablesOf(schema).map((v) => [v.name, [formatDefault(v), v.description]]),
    );

    // then each shows its default as the environment would write it, and its description
    expect(table).toEqual({
      REQUIRED: ['required', 'must be given'],
      OPTIONAL: ['unset', 'may be left out'],
      NUMBER: ['`5`', 'a number'],
      LIST: ['`a,b`', 'a list'],
      EMPTY: ['empty', 'empty by default'],
      FLAG: ['`false`', null],
      COMPUTED: ['`made`', null],
    });
  });
});

describe(replaceTable.name, () => {
  const service = {
    name: 'example',
    readme: 'apps/example/README.md',
    schemaFile: 'apps/example/src/config/example.config.ts',
    schema: z.object({ PORT: z.coerce.number().default(8080).describe('HTTP | port') }),
  };

  it('rewrites only the block between the markers, table cells escaped', () => {
    // given a README with an outdated table between the markers
    const readme = `# Example\n\nBefore.\n\n${START_MARKER}\n| old |\n${END_MARKER}\n\nAfter.\n`;

    // when the table is replaced
    const rendered = replaceTable(service, readme);

    // then the text around it is kept and the table is the schema's, naming its source
    expect(rendered.startsWith(`# Example\n\nBefore.\n\n${START_MARKER}\n`)).toBe(true);
    expect(rendered.endsWith(`${END_MARKER}\n\nAfter.\n`)).toBe(true);
    expect(rendered).not.toContain('| old |');
    expect(rendered).toContain('| `PORT` | `8080` | HTTP \\| port |');
    expect(rendered).toContain(
      `Generated from apps/example/src/config/example.config.ts by \`${REGENERATE_COMMAND}\``,
    );
    // and replacing again changes nothing
    expect(replaceTable(service, rendered)).toBe(rendered);
  });

  it('names the README that lacks the markers', () => {
    expect(() => replaceTable(service, '# Example\n')).toThrow(
      'apps/example/README.md has no <!-- env:start -->',
    );
  });
});
