import { z } from 'zod';

/**
 * The API's named schemas. Requests are documented as what the API accepts (zod input: fields
 * with defaults optional), responses as what it sends (zod output). Each is registered once, by
 * id, in zod's global registry; the OpenAPI document's components are derived from them.
 */
const requestIds = new Set<string>();
const responseIds = new Set<string>();

/** Names a request body schema: it becomes `#/components/schemas/<id>`. */
export function requestSchema<S extends z.ZodType>(id: string, schema: S): S {
  requestIds.add(id);
  return schema.meta({ id }) as S;
}

/** Names a response body schema: it becomes `#/components/schemas/<id>`. */
export function responseSchema<S extends z.ZodType>(id: string, schema: S): S {
  responseIds.add(id);
  return schema.meta({ id }) as S;
}

/** The `$ref` of a named schema. @throws when the schema was not named. */
export function schemaRef(schema: z.ZodType): { $ref: string } {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id || (!requestIds.has(id) && !responseIds.has(id))) {
    throw new Error('Schema is not registered with requestSchema() or responseSchema()');
  }
  return { $ref: `#/components/schemas/${id}` };
}

type JsonSchema = Record<string, unknown>;

/**
 * Every named schema as an OpenAPI 3.0 schema object, keyed by id: requests in input form,
 * responses in output form (without `additionalProperties: false`, so clients tolerate fields
 * added later).
 */
export function openApiSchemas(): Record<string, JsonSchema> {
  const convert = (io: 'input' | 'output') =>
    z.toJSONSchema(z.globalRegistry, {
      target: 'openapi-3.0',
      io,
      unrepresentable: 'any',
      uri: (id) => `#/components/schemas/${id}`,
    }).schemas as Record<string, JsonSchema>;
  const inputs = convert('input');
  const outputs = convert('output');
  const result: Record<string, JsonSchema> = {};
  for (const id of requestIds) result[id] = clean(inputs[id], false);
  for (const id of responseIds) result[id] = clean(outputs[id], true);
  return result;
}

function clean(schema: JsonSchema | undefined, open: boolean): JsonSchema {
  if (!schema) throw new Error('Named schema missing from the conversion');
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value === null || typeof value !== 'object') return value;
    const out: JsonSchema = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === '$id' || key === '$schema') continue;
      if (open && key === 'additionalProperties' && child === false) continue;
      out[key] = visit(child);
    }
    return out;
  };
  return visit(schema) as JsonSchema;
}
