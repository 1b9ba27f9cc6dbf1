import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Validates values against the derived JSON Schemas with Ajv (draft 2020-12), as a consumer in
 * another language would with its own validator: it shows the derived schemas accept and refuse
 * what the zod schemas do. Formats (date-time, uuid, ...) are asserted, not only annotations.
 */
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
// zod's z.base64(): standard alphabet, padded to a multiple of four.
ajv.addFormat('base64', {
  type: 'string',
  validate: (value: string) => value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value),
});

const compiled = new WeakMap<object, ValidateFunction>();

/** Every error Ajv finds in `value` against `schema` (`<instance path> <message>`); [] when valid. */
export function jsonSchemaErrors(schema: Record<string, unknown>, value: unknown): string[] {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}
