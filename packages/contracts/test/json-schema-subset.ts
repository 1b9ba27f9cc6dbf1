/**
 * A small JSON Schema (draft 2020-12) checker covering the keywords zod's derivation emits:
 * enough to show a derived schema accepts and refuses what the zod schema does, without taking
 * a validator dependency. `format` is an annotation in 2020-12 and is not asserted.
 */
type JsonSchema = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      throw new Error(`Unsupported JSON Schema type "${type}"`);
  }
}

const handled = new Set([
  '$schema',
  '$ref',
  '$defs',
  'title',
  'description',
  'default',
  'format',
  'contentEncoding',
  'type',
  'const',
  'enum',
  'anyOf',
  'oneOf',
  'allOf',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);

function check(schema: unknown, value: unknown, at: string, root: JsonSchema): string[] {
  if (schema === true || (isObject(schema) && Object.keys(schema).length === 0)) return [];
  if (schema === false) return [`${at}: nothing is allowed here`];
  if (!isObject(schema)) throw new Error(`${at}: not a schema`);
  const unknownKeywords = Object.keys(schema).filter((k) => !handled.has(k));
  if (unknownKeywords.length > 0) throw new Error(`${at}: unsupported ${unknownKeywords.join()}`);

  const errors: string[] = [];
  const sub = (s: unknown, v: unknown, path: string): string[] => check(s, v, path, root);

  if (typeof schema.$ref === 'string') {
    const name = /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1];
    const defs = root.$defs;
    if (name === undefined || !isObject(defs)) throw new Error(`${at}: unresolvable $ref`);
    errors.push(...sub(defs[name], value, at));
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(String(t), value))) {
      return [...errors, `${at}: expected ${types.join(' or ')}`];
    }
  }
  if ('const' in schema && value !== schema.const) errors.push(`${at}: expected the constant`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${at}: not in enum`);
  if (Array.isArray(schema.allOf)) schema.allOf.forEach((s) => errors.push(...sub(s, value, at)));
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s) => sub(s, value, at).length === 0)) {
    errors.push(`${at}: matches none of anyOf`);
  }
  if (Array.isArray(schema.oneOf)) {
    const matching = schema.oneOf.filter((s) => sub(s, value, at).length === 0).length;
    if (matching !== 1) errors.push(`${at}: matches ${matching} of oneOf, expected exactly 1`);
  }

  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) {
      errors.push(`${at}: shorter than ${schema.minLength}`);
    }
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
      errors.push(`${at}: longer than ${schema.maxLength}`);
    }
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push(`${at}: does not match ${schema.pattern}`);
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      errors.push(`${at}: too small`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${at}: too big`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      errors.push(`${at}: too small`);
    }
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) {
      errors.push(`${at}: too big`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      errors.push(`${at}: fewer than ${schema.minItems} items`);
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      errors.push(`${at}: more than ${schema.maxItems} items`);
    }
    if (schema.items !== undefined) {
      value.forEach((item, i) => errors.push(...sub(schema.items, item, `${at}[${i}]`)));
    }
  }
  if (isObject(value)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    if (Array.isArray(schema.required)) {
      for (const name of schema.required) {
        if (!(String(name) in value)) errors.push(`${at}: missing required "${String(name)}"`);
      }
    }
    for (const [name, child] of Object.entries(value)) {
      const path = `${at}.${name}`;
      if (schema.propertyNames !== undefined) errors.push(...sub(schema.propertyNames, name, path));
      if (name in properties) errors.push(...sub(properties[name], child, path));
      else if (schema.additionalProperties !== undefined) {
        errors.push(...sub(schema.additionalProperties, child, path));
      }
    }
  }
  return errors;
}

/** The reasons a value does not conform to a JSON Schema; empty when it conforms. */
export function jsonSchemaErrors(schema: JsonSchema, value: unknown): string[] {
  return check(schema, value, '$', schema);
}
