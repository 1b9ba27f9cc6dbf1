import { Environment, Provider, SourceVerification } from '@switchboard/contracts';
import { z } from 'zod';
import { requestSchema, responseSchema } from '../openapi/api-schemas';
import {
  GraceSeconds,
  RevealedSecret,
  SecretSummary,
  WhsecSecret,
} from '../secrets/secret.schemas';

const externalId = z.string().trim().min(1).max(64);

const ExternalIds = z.strictObject({
  wabaIds: z.array(externalId).max(100).default([]).describe('WhatsApp Business Account ids'),
  phoneNumberIds: z.array(externalId).max(100).default([]).describe('Business phone number ids'),
});

const providerSecret = z.string().min(8).max(512);

const common = {
  environment: Environment.default('production'),
  enabled: z.boolean().default(true),
  externalIds: ExternalIds.default({ wabaIds: [], phoneNumberIds: [] }),
};

const providers = [...Provider.options, 'cunnekt'].join(', ');

/**
 * Headers a token may not be sent in: HTTP and proxies use them, or ingress keeps them with the
 * raw webhook or a rejection record (a token there would be stored in clear).
 */
const reservedHeaders: ReadonlySet<string> = new Set([
  'host',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'user-agent',
  'cookie',
  'x-forwarded-for',
  'x-request-id',
  'x-hub-signature-256',
  'x-connectly-hmac-sha256',
  'x-webhook-signature',
  'x-webhook-timestamp',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

/** One shape per provider: each needs a different kind of secret. */
export const CreateSourceRequest = requestSchema(
  'CreateSourceRequest',
  z.discriminatedUnion(
    'provider',
    [
      z.strictObject({
        provider: z.literal('meta'),
        ...common,
        appSecret: providerSecret.describe('The Meta app secret: verifies X-Hub-Signature-256'),
        verifyToken: z
          .string()
          .min(8)
          .max(256)
          .optional()
          .describe("Answers Meta's verification handshake; generated when absent"),
      }),
      z.strictObject({
        provider: z.literal('connectly'),
        ...common,
        secret: providerSecret.describe('The Connectly webhook secret (x-connectly-hmac-sha256)'),
      }),
      z.strictObject({
        provider: z.literal('cubeconnect'),
        ...common,
        secret: providerSecret.describe('The CubeConnect signing secret (X-Webhook-Signature)'),
      }),
      z.strictObject({
        provider: z.literal('onprem'),
        ...common,
        token: z
          .string()
          .min(16)
          .max(512)
          .optional()
          .describe('The URL or Bearer token the BSP sends; generated when absent'),
      }),
      z.strictObject({
        provider: z.literal('cunnekt'),
        ...common,
        events: z
          .enum(['all', 'channel', 'platform'], {
            error: () => 'must be all, channel or platform',
          })
          .default('all')
          .describe(
            "all: one URL for both, as Cunnekt's dashboard takes one (a meta-route source that " +
              'stores platform events for the standard mapper); channel: WhatsApp webhooks in ' +
              "Meta's format only (a meta source); platform: platform events only (a standard source)",
          ),
        token: z
          .string()
          .min(16)
          .max(512)
          .optional()
          .describe('The token Cunnekt sends; generated when absent. Shown only in the answer'),
        tokenHeader: z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a header name')
          .refine(
            (name) => !reservedHeaders.has(name),
            'must not be a header HTTP uses or ingress stores',
          )
          .default('authorization')
          .describe('The header carrying the token; in authorization it may come as Bearer'),
      }),
      z.strictObject({
        provider: z.literal('standard'),
        ...common,
        secret: WhsecSecret.optional().describe(
          'A whsec_ Standard Webhooks secret; generated when absent',
        ),
      }),
    ],
    { error: () => `must be one of ${providers}` },
  ),
);
export type CreateSourceRequest = z.infer<typeof CreateSourceRequest>;

export const UpdateSourceRequest = requestSchema(
  'UpdateSourceRequest',
  z
    .strictObject({
      environment: Environment.optional(),
      enabled: z.boolean().optional(),
      externalIds: ExternalIds.optional().describe('Replaces the external ids'),
    })
    .refine((patch) => Object.values(patch).some((v) => v !== undefined), {
      message: 'give at least one of environment, enabled, externalIds',
    }),
);
export type UpdateSourceRequest = z.infer<typeof UpdateSourceRequest>;

export const RotateSourceSecretRequest = requestSchema(
  'RotateSourceSecretRequest',
  z.strictObject({
    secret: z
      .string()
      .min(8)
      .max(512)
      .optional()
      .describe(
        'The new secret: required for meta (new app secret), connectly and cubeconnect; ' +
          'generated for onprem, token-verified (cunnekt) and standard sources when absent ' +
          '(standard: whsec_…)',
      ),
    graceSeconds: GraceSeconds.optional(),
  }),
);
export type RotateSourceSecretRequest = z.infer<typeof RotateSourceSecretRequest>;

const SourceFields = {
  id: z.string().describe('Source id, e.g. src_…'),
  businessId: z.string(),
  provider: Provider,
  environment: Environment,
  enabled: z.boolean(),
  webhookUrl: z.url().describe('Where the provider must send webhooks (ingress)'),
  externalIds: z.object({ wabaIds: z.array(z.string()), phoneNumberIds: z.array(z.string()) }),
  secrets: z.array(SecretSummary).describe('Live secrets, newest first, without their values'),
  hasVerifyToken: z.boolean(),
  verification: SourceVerification.nullable().describe(
    "A static token in a header (cunnekt sources); null: the route's own scheme",
  ),
  sharedEndpoint: z
    .boolean()
    .describe('True when the URL takes channel webhooks and platform events alike (cunnekt all)'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().describe('Increases with every change'),
};

export const Source = responseSchema('Source', z.object(SourceFields));
export type Source = z.infer<typeof Source>;

export const CreatedSource = responseSchema(
  'CreatedSource',
  z.object({
    ...SourceFields,
    secret: RevealedSecret.describe(
      'The verification secret (app secret, HMAC secret, token). Shown only now',
    ),
    verifyToken: z.string().nullable().describe("Meta's verify token. Shown only now"),
  }),
);
export type CreatedSource = z.infer<typeof CreatedSource>;

export const SourceList = responseSchema('SourceList', z.object({ items: z.array(Source) }));
export type SourceList = z.infer<typeof SourceList>;

export const RotatedSourceSecret = responseSchema(
  'RotatedSourceSecret',
  z.object({ source: Source, secret: RevealedSecret.describe('The new secret. Shown only now') }),
);
export type RotatedSourceSecret = z.infer<typeof RotatedSourceSecret>;
