import { z } from 'zod';
import { responseSchema } from './api-schemas';

/** Every error answer: a stable code and a message for people. */
export const ErrorResponse = responseSchema(
  'ErrorResponse',
  z.object({
    error: z.object({
      code: z
        .string()
        .describe('Stable, machine-readable, e.g. "invalid_request", "source_not_found"'),
      message: z
        .string()
        .describe('What went wrong; for invalid requests, every bad field by path'),
    }),
  }),
);
