/**
 * Environment-variable tables generated from the services' zod config schemas.
 *
 * Every service parses its environment with one zod schema (apps/<service>/src/config); this
 * renders, per service, a Markdown table of every variable that schema reads, with its default
 * and its meaning (the schema's `.describe()` text), and writes it between
 * `<!-- env:start -->` and `<!-- env:end -->` in the service's README.
 *
 *   npm run docs:env                      rewrites the tables
 *   npx tsx scripts/env-tables.ts --check  names the READMEs whose table is stale (exit 1)
 *
 * `env-tables.spec.ts` runs the check with the unit tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { DeliveryConfig } from '../apps/delivery/src/config/delivery.config';
import { IngressConfig } from '../apps/ingress/src/config/ingress.config';
import { NormalizerConfig } from '../apps/normalizer/src/config/normalizer.config';
import { SubscriptionsConfig } from '../apps/subscriptions/src/config/subscriptions.config';

export const ROOT = path.resolve(__dirname, '..');
export const START_MARKER = '<!-- env:start -->';
export const END_MARKER = '<!-- env:end -->';
export const REGENERATE_COMMAND = 'npm run docs:env';

/** A service whose README carries the table of its config schema. */
export interface ServiceEnv {
  name: string;
  /** The README, relative to the repository root. */
  readme: string;
  /** The file that defines the schema, relative to the repository root (named in the table). */
  schemaFile: string;
  schema: z.ZodType;
}

export const SERVICES: readonly ServiceEnv[] = [
  {
    name: 'ingress',
    readme: 'apps/ingress/README.md',
    schemaFile: 'apps/ingress/src/config/ingress.config.ts',
    schema: IngressConfig,
  },
  {
    name: 'normalizer',
    readme: 'apps/normalizer/README.md',
    schemaFile: 'apps/normalizer/src/config/normalizer.config.ts',
    schema: NormalizerConfig,
  },
  {
    name: 'subscriptions',
    readme: 'apps/subscriptions/README.md',
    schemaFile: 'apps/subscriptions/src/config/subscriptions.config.ts',
    schema: SubscriptionsConfig,
  },
  {
    name: 'delivery',
    readme: 'apps/delivery/README.md',
    schemaFile: 'apps/delivery/src/config/delivery.config.ts',
    schema: DeliveryConfig,
  },
];

/** One environment variable as its schema declares it. */
export interface EnvVariable {
  name: string;
  /** The `.describe()` text; null when the schema gives none. */
  description: string | null;
  /** Absent: no default. */
  default?: unknown;
  /** The service starts without it (no default, yet not required). */
  optional: boolean;
}

/** The internals of a zod 4 schema that tell wrappers apart. */
interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  defaultValue?: unknown;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The object schema under transforms (`.transform()` wraps it in a pipe) and refinements. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'object' && def.shape) return def.shape;
    if (def.type === 'pipe' && def.in) current = def.in;
    else throw new Error(`Not an object schema (found ${def.type})`);
  }
}

/**
 * A variable's description, default and optionality, read through the wrappers around its type
 * (`.default()`, `.optional()`, `.describe()`, pipes of `.transform()`): the outermost
 * description and default win.
 */
export function describeVariable(name: string, schema: z.ZodType): EnvVariable {
  const variable: EnvVariable = { name, description: null, optional: false };
  let hasDefault = false;
  let current: z.ZodType | undefined = schema;
  while (current) {
    if (variable.description === null && current.description) {
      variable.description = current.description;
    }
    const def = defOf(current);
    if ((def.type === 'default' || def.type === 'prefault') && !hasDefault) {
      hasDefault = true;
      variable.default = def.defaultValue;
    }
    if (def.type === 'optional') variable.optional = true;
    current =
      def.type === 'pipe'
        ? def.in
        : 'innerType' in def && def.innerType
          ? def.innerType
          : undefined;
  }
  if (hasDefault) variable.optional = false;
  return variable;
}

/** Every variable a service's config schema reads, in the schema's order. */
export function variablesOf(schema: z.ZodType): EnvVariable[] {
  return Object.entries(objectShape(schema)).map(([name, field]) => describeVariable(name, field));
}

/** A default as it would be written in the environment. */
export function formatDefault(variable: EnvVariable): string {
  if (!('default' in variable)) return variable.optional ? 'unset' : 'required';
  const value = variable.default;
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return text === '' ? 'empty' : `\`${text}\``;
}

/**
 * Text for one table cell: on one line, `|` escaped, and `<` outside code spans written `&lt;` so
 * that a placeholder such as <prefix> is shown rather than taken for an HTML tag.
 */
export function cell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, '&lt;') : part))
    .join('`')
    .replace(/\|/g, '\\|');
}

/** The Markdown between the markers for one service (not yet formatted by Prettier). */
export function renderTable(service: ServiceEnv): string {
  const rows = variablesOf(service.schema).map(
    (v) =>
      `| \`${v.name}\` | ${cell(formatDefault(v))} | ${cell(v.description ?? '(no description)')} |`,
  );
  return [
    START_MARKER,
    `<!-- Generated from ${service.schemaFile} by \`${REGENERATE_COMMAND}\`: change the schema's .describe() text, not this table. -->`,
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
    END_MARKER,
  ].join('\n');
}

/** The README with the block between the markers replaced by the service's table. */
export function replaceTable(service: ServiceEnv, current: string): string {
  const start = current.indexOf(START_MARKER);
  const end = current.indexOf(END_MARKER);
  if (start < 0 || end < start) {
    throw new Error(
      `${service.readme} has no ${START_MARKER} … ${END_MARKER} block to write the table into`,
    );
  }
  return current.slice(0, start) + renderTable(service) + current.slice(end + END_MARKER.length);
}

/**
 * The README with its table replaced, formatted as `prettier --check` expects (Prettier loads
 * its formatters with a dynamic import, which Jest's VM does not run: the spec calls the CLI).
 */
export async function renderReadme(service: ServiceEnv, current: string): Promise<string> {
  const next = replaceTable(service, current);
  const file = path.join(ROOT, service.readme);
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(next, { ...options, filepath: file });
}

/** What a README holds against what it should; `stale` when they differ. */
export async function compareReadme(
  service: ServiceEnv,
): Promise<{ service: ServiceEnv; current: string; expected: string; stale: boolean }> {
  const current = readFileSync(path.join(ROOT, service.readme), 'utf8');
  const expected = await renderReadme(service, current);
  return { service, current, expected, stale: current !== expected };
}

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check');
  const stale: string[] = [];
  for (const service of SERVICES) {
    const { current, expected } = await compareReadme(service);
    if (current === expected) continue;
    stale.push(service.readme);
    if (!check) writeFileSync(path.join(ROOT, service.readme), expected);
  }
  if (check) {
    if (stale.length > 0) {
      console.error(
        `Stale environment tables in ${stale.join(', ')}: run \`${REGENERATE_COMMAND}\``,
      );
      return 1;
    }
    console.log('Environment tables are up to date');
    return 0;
  }
  console.log(stale.length > 0 ? `Rewrote ${stale.join(', ')}` : 'Environment tables unchanged');
  return 0;
}

if (require.main === module) {
  // Defaults that follow NODE_ENV are shown as they are outside production.
  delete process.env.NODE_ENV;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
