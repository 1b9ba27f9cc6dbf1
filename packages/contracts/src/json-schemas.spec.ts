import { z } from 'zod';

import { jsonSchemaErrors } from '../test/json-schema-validator';
import { examples } from './examples';
import {
  type NamedSchemaName,
  jsonSchemaFileName,
  namedSchemaNames,
  namedSchemas,
  toJsonSchema,
} from './json-schemas';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object variants of a schema: itself, or each member of a discriminated union. */
function zodObjectVariants(schema: z.ZodType): z.ZodObject[] {
  if (schema instanceof z.ZodObject) return [schema];
  if (schema instanceof z.ZodDiscriminatedUnion) {
    return (schema.options as z.ZodType[]).flatMap(zodObjectVariants);
  }
  throw new Error('Named schemas are objects or discriminated unions of objects');
}

function jsonObjectVariants(schema: JsonObject): JsonObject[] {
  if (Array.isArray(schema.oneOf)) return schema.oneOf.filter(isObject).flatMap(jsonObjectVariants);
  return [schema];
}

/** Field names a value must have: those that are neither optional nor defaulted. */
function requiredKeys(object: z.ZodObject): string[] {
  return Object.entries(object.shape)
    .filter(([, field]) => !(field instanceof z.ZodOptional || field instanceof z.ZodDefault))
    .map(([name]) => name)
    .sort();
}

describe(toJsonSchema.name, () => {
  describe.each(namedSchemaNames.map((name) => [name] as const))('%s', (name: NamedSchemaName) => {
    const jsonSchema = toJsonSchema(name);

    it('is a draft 2020-12 schema titled after the zod schema', () => {
      expect(jsonSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(jsonSchema.title).toBe(name);
    });

    it('declares the same properties and required names as the zod shape', () => {
      // given
      const zodVariants = zodObjectVariants(namedSchemas[name]);
      const jsonVariants = jsonObjectVariants(jsonSchema);

      // then
      expect(jsonVariants).toHaveLength(zodVariants.length);
      zodVariants.forEach((variant, i) => {
        const json = jsonVariants[i] ?? {};
        const properties = isObject(json.properties) ? Object.keys(json.properties) : [];
        const required = Array.isArray(json.required) ? json.required.map(String) : [];
        expect(properties.sort()).toEqual(Object.keys(variant.shape).sort());
        expect(required.sort()).toEqual(requiredKeys(variant));
      });
    });

    it('accepts the valid example', () => {
      expect(jsonSchemaErrors(jsonSchema, examples[name])).toEqual([]);
    });

    it('refuses the example without one of its required fields', () => {
      // given
      const [firstRequired] = jsonObjectVariants(jsonSchema).flatMap((variant) =>
        Array.isArray(variant.required) ? variant.required.map(String) : [],
      );
      const invalid: JsonObject = { ...examples[name] };
      delete invalid[firstRequired ?? 'id'];

      // then
      expect(namedSchemas[name].safeParse(invalid).success).toBe(false);
      expect(jsonSchemaErrors(jsonSchema, invalid)).not.toEqual([]);
    });

    it('refuses the example with a field of the wrong type, as zod does', () => {
      // given
      const invalid = { ...examples[name], id: 42 };

      // then
      expect(namedSchemas[name].safeParse(invalid).success).toBe(false);
      expect(jsonSchemaErrors(jsonSchema, invalid)).not.toEqual([]);
    });

    it('tolerates a field added later, as consumers of v1 must', () => {
      // given
      const extended = { ...examples[name], addedInALaterRelease: { any: 'value' } };

      // then
      expect(namedSchemas[name].safeParse(extended).success).toBe(true);
      expect(jsonSchemaErrors(jsonSchema, extended)).toEqual([]);
    });
  });

  it('rejects what zod rejects deeper down, e.g. an unredacted credential header name', () => {
    // given
    const invalid = { ...examples.RawInboundEnvelope, headers: { 'Content-Type': 'x' } };

    // then
    expect(jsonSchemaErrors(toJsonSchema('RawInboundEnvelope'), invalid)).not.toEqual([]);
  });

  it.each<[string, NamedSchemaName, Record<string, unknown>]>([
    ['a time that is not a date-time', 'CloudEvent', { ...examples.CloudEvent, time: 'yesterday' }],
    ['an id that is not a UUID', 'DeadLetter', { ...examples.DeadLetter, id: 'not-a-uuid' }],
    [
      'a body that is not base64',
      'RawInboundEnvelope',
      { ...examples.RawInboundEnvelope, body: '*' },
    ],
  ])('refuses %s, as zod does (formats are asserted)', (_label, name, invalid) => {
    expect(namedSchemas[name].safeParse(invalid).success).toBe(false);
    expect(jsonSchemaErrors(toJsonSchema(name), invalid)).not.toEqual([]);
  });

  it('accepts every variant of a union', () => {
    const deliveryCommand = toJsonSchema('DeliveryCommand');

    for (const command of [
      examples.RetryDeliveryCommand,
      examples.RecoverDeliveriesCommand,
      examples.TestDeliveryCommand,
    ]) {
      expect(jsonSchemaErrors(deliveryCommand, command)).toEqual([]);
    }
    expect(jsonSchemaErrors(toJsonSchema('ConfigRecord'), examples.SubscriptionRecord)).toEqual([]);
    expect(jsonSchemaErrors(toJsonSchema('DeadLetter'), examples.DeadLetterFromBytes)).toEqual([]);
  });

  it('leaves defaulted fields optional and documents their defaults', () => {
    // given
    const subscription = structuredClone(examples.SubscriptionRecord) as JsonObject;
    subscription.configuration = {};

    // then
    expect(jsonSchemaErrors(toJsonSchema('SubscriptionRecord'), subscription)).toEqual([]);
    expect(JSON.stringify(toJsonSchema('SubscriptionRecord'))).toContain('"default":false');
  });
});

describe(jsonSchemaFileName.name, () => {
  it('names files in kebab case', () => {
    expect(jsonSchemaFileName('RawInboundEnvelope')).toBe('raw-inbound-envelope.schema.json');
    expect(jsonSchemaFileName('SubscriptionHealthEvent')).toBe(
      'subscription-health-event.schema.json',
    );
  });

  it('gives every named schema its own file', () => {
    const files = namedSchemaNames.map(jsonSchemaFileName);

    expect(new Set(files).size).toBe(namedSchemaNames.length);
  });
});
