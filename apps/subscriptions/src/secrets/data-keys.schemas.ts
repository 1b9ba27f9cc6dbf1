import { z } from 'zod';
import { responseSchema } from '../openapi/api-schemas';

export const DataKeyRotation = responseSchema(
  'DataKeyRotation',
  z.object({
    keyId: z.string().describe('The data key every stored secret is now sealed with'),
    sources: z.number().int().describe('Sources whose secrets were sealed again and republished'),
    webhooks: z.number().int().describe('Webhooks whose secrets were sealed again and republished'),
    secrets: z.number().int().describe('Values sealed again: secrets and verify tokens'),
    unreadable: z
      .array(z.string())
      .describe(
        'Config keys of records holding a value none of the configured data keys opens; left as they are',
      ),
  }),
);
export type DataKeyRotation = z.infer<typeof DataKeyRotation>;
