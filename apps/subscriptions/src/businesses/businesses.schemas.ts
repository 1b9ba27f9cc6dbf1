import { z } from 'zod';
import { requestSchema, responseSchema } from '../openapi/api-schemas';

export const CreateBusinessRequest = requestSchema(
  'CreateBusinessRequest',
  z.strictObject({
    name: z.string().trim().min(1).max(200).optional().describe('A name for people'),
  }),
);
export type CreateBusinessRequest = z.infer<typeof CreateBusinessRequest>;

const BusinessFields = {
  id: z.string().describe('Business id, e.g. biz_…'),
  name: z.string().nullable(),
  createdAt: z.iso.datetime(),
};

export const Business = responseSchema('Business', z.object(BusinessFields));
export type Business = z.infer<typeof Business>;

const ApiKeyFields = {
  id: z.string().describe('Key id, e.g. key_…; used to revoke the key'),
  prefix: z.string().describe('The first characters of the key, to tell keys apart'),
  createdAt: z.iso.datetime(),
};

export const ApiKey = responseSchema('ApiKey', z.object(ApiKeyFields));
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = responseSchema(
  'CreatedApiKey',
  z.object({
    ...ApiKeyFields,
    key: z
      .string()
      .describe('The key itself (send it as X-API-Key). Shown only now: only its hash is kept'),
  }),
);
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const CreatedBusiness = responseSchema(
  'CreatedBusiness',
  z.object({ ...BusinessFields, apiKey: CreatedApiKey }),
);
export type CreatedBusiness = z.infer<typeof CreatedBusiness>;

export const ApiKeyList = responseSchema('ApiKeyList', z.object({ items: z.array(ApiKey) }));
export type ApiKeyList = z.infer<typeof ApiKeyList>;
