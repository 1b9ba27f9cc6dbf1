import { WhsecValue } from '@switchboard/contracts';
import { z } from 'zod';
import { responseSchema } from '../openapi/api-schemas';

/** A Standard Webhooks secret given by a caller: `whsec_` and at least 24 bytes of base64. */
export const WhsecSecret = WhsecValue.max(512).refine(
  (value) => Buffer.from(value.slice('whsec_'.length), 'base64').length >= 24,
  {
    message: 'must carry at least 24 bytes of key after whsec_',
    // Only once the contract's whsec_ form holds: one clear message per bad secret.
    when: (payload) => payload.issues.length === 0,
  },
);

/** How long the secrets being replaced keep working. */
export const GraceSeconds = z
  .number()
  .int()
  .min(0)
  .max(30 * 24 * 3600)
  .describe(
    'How long the secrets being replaced keep working (default: the configured grace, 24 h)',
  );

export const SecretSummary = responseSchema(
  'SecretSummary',
  z.object({
    id: z.string(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable().describe('Set once the secret is rotated out'),
  }),
);

export const RevealedSecret = responseSchema(
  'RevealedSecret',
  z.object({
    id: z.string(),
    value: z.string().describe('The secret itself. Shown only now'),
    createdAt: z.iso.datetime(),
  }),
);
export type RevealedSecret = z.infer<typeof RevealedSecret>;
