import {
  applyDecorators,
  Body,
  createParamDecorator,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { parseInput } from '../common/validation';
import { schemaRef } from './api-schemas';
import { ErrorResponse } from './error-response';

/** Validates a value with a zod schema; a failure is a 400 naming every bad field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly base = '',
    /** How the whole value is named in messages: `(body)`, `(query)`. */
    private readonly root = '(body)',
  ) {}

  transform(value: unknown): z.output<S> {
    return parseInput(this.schema, value ?? {}, this.base, this.root);
  }
}

/**
 * The request body, validated by its zod schema, and documented in OpenAPI from the same schema:
 * one declaration for both.
 */
export function ZodBody(schema: z.ZodType, description?: string): ParameterDecorator {
  return (target, key, index) => {
    Body(new ZodPipe(schema))(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (descriptor) {
      ApiBody({ schema: schemaRef(schema), required: true, description })(target, key, descriptor);
    }
  };
}

/** The whole parsed query string. */
const QueryString = createParamDecorator(
  (_: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<FastifyRequest>().query,
);

/**
 * The query string, validated by a zod object schema, with one documented parameter per field
 * (its JSON Schema derived from the field).
 */
export function ZodQuery(schema: z.ZodObject): ParameterDecorator {
  return (target, key, index) => {
    // Not Nest's @Query(): its OpenAPI explorer would try to read a class from the parameter type.
    QueryString(new ZodPipe(schema, '', '(query)'))(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor) return;
    for (const [name, field] of Object.entries(schema.shape)) {
      const {
        description,
        $schema: _,
        ...fieldSchema
      } = z.toJSONSchema(field, {
        target: 'openapi-3.0',
        io: 'input',
        unrepresentable: 'any',
      }) as Record<string, unknown>;
      ApiQuery({
        name,
        required: !field.safeParse(undefined).success,
        description: typeof description === 'string' ? description : undefined,
        schema: fieldSchema,
      })(target, key, descriptor);
    }
  };
}

/** A success response whose JSON body is a named zod schema. */
export function ApiJson(status: number, schema: z.ZodType, description: string) {
  return ApiResponse({ status, description, content: jsonContent(schema) });
}

/** A success answer without a body (204). */
export function ApiNoContent(description: string) {
  return ApiResponse({ status: 204, description });
}

const errorDescriptions: Record<number, string> = {
  400: 'The request is invalid; the message names every bad field',
  401: 'No credentials, or credentials that match nothing',
  403: 'Only the operator key may do this',
  404: 'No such resource for this caller (other businesses are invisible)',
  503: 'A dependency (Kafka, the normalizer log) is unavailable; retry later',
  504: 'What the call waited for did not happen in time',
};

/** The error answers an operation can give, all `{"error":{"code","message"}}`. */
export function ApiErrors(...statuses: (400 | 401 | 403 | 404 | 503 | 504)[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: errorDescriptions[status],
        content: jsonContent(ErrorResponse),
      }),
    ),
  );
}

function jsonContent(schema: z.ZodType) {
  // Nest's typings predate OpenAPI 3.1 reference objects in this position; the shape is valid.
  return { 'application/json': { schema: schemaRef(schema) } };
}
