import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Schema = Record<string, unknown>;

interface OpenApiV2 {
  definitions: Record<string, Schema>;
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * Writes one standalone, strict JSON Schema per kind named in `kinds`, from the API server's own
 * OpenAPI v2 document, where kubeconform finds them with the location template this returns:
 * every object schema that lists its properties refuses any other (additionalProperties: false),
 * int-or-string fields take either, and quantities take numbers as YAML writes them.
 */
export function writeKubeconformSchemas(
  openapi: OpenApiV2,
  kinds: ReadonlySet<string>,
  dir: string,
): string {
  mkdirSync(dir, { recursive: true });
  const byKind = new Map<string, string>();
  for (const [name, definition] of Object.entries(openapi.definitions)) {
    const gvks = (definition['x-kubernetes-group-version-kind'] ?? []) as GroupVersionKind[];
    for (const gvk of gvks) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      if (kinds.has(`${apiVersion}/${gvk.kind}`)) byKind.set(`${apiVersion}/${gvk.kind}`, name);
    }
  }
  const missing = [...kinds].filter((k) => !byKind.has(k));
  if (missing.length > 0)
    throw new Error(`The API server serves no schema for ${missing.join(', ')}`);

  for (const [apiVersion, name] of byKind) {
    const parts = apiVersion.split('/'); // [group, version, kind] or [version, kind]
    const kind = parts.pop()!;
    const version = parts[parts.length - 1]!;
    const group = parts[0]!;
    const definitions: Record<string, Schema> = {};
    collect(openapi.definitions, name, definitions);
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      ...definitions[name],
      definitions,
    };
    // kubeconform's template: {{ .ResourceKind }} is the lower-case kind, {{ .Group }} the first
    // part of apiVersion (the version itself for core kinds), {{ .ResourceAPIVersion }} the last.
    writeFileSync(
      join(dir, `${kind.toLowerCase()}-${group}-${version}.json`),
      JSON.stringify(schema),
    );
  }
  return join(dir, '{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json');
}

function collect(all: Record<string, Schema>, name: string, into: Record<string, Schema>): void {
  if (into[name]) return;
  const definition = all[name];
  if (!definition) throw new Error(`OpenAPI definition ${name} is missing`);
  into[name] = {};
  into[name] = strict(definition, (ref) => collect(all, ref, into));
}

function strict(schema: Schema, onRef: (name: string) => void): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') {
      const ref = value.replace('#/definitions/', '');
      onRef(ref);
      out.$ref = `#/definitions/${ref}`;
    } else if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([p, s]) => [p, strict(s, onRef)]),
      );
    } else if (
      (key === 'items' || key === 'additionalProperties') &&
      value &&
      typeof value === 'object'
    ) {
      out[key] = strict(value as Schema, onRef);
    } else if (key === 'allOf' || key === 'oneOf' || key === 'anyOf') {
      out[key] = (value as Schema[]).map((s) => strict(s, onRef));
    } else if (!key.startsWith('x-')) {
      out[key] = value;
    }
  }
  if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    delete out.format;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** Quantities (cpu: 1, memory: 512Mi) are strings or numbers in YAML. */
export function relaxQuantities(openapi: OpenApiV2): OpenApiV2 {
  const quantity = openapi.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'];
  if (quantity) {
    delete quantity.type;
    quantity.oneOf = [{ type: 'string' }, { type: 'number' }];
  }
  return openapi;
}
