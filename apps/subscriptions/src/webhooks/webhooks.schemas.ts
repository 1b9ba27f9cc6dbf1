import {
  CloudEventsMode,
  compileGlob,
  DeliveryOrdering,
  Environment,
  GLOB_LIMITS,
  GlobError,
  SubscriptionConfiguration,
  SubscriptionFilterField,
  SubscriptionState,
  SubscriptionTopic,
} from '@switchboard/contracts';
import { z } from 'zod';
import { requestSchema, responseSchema } from '../openapi/api-schemas';
import {
  GraceSeconds,
  RevealedSecret,
  SecretSummary,
  WhsecSecret,
} from '../secrets/secret.schemas';
import { MAX_ADDRESS_LENGTH } from '@switchboard/address-policy';

export const MAX_GLOB_LENGTH = GLOB_LIMITS.maxLength;
/** Filters a subscription may have, and event types it may list. */
export const MAX_FILTERS = 20;
export const MAX_EVENT_TYPES = 100;
/** One retry delay may not exceed a day... */
export const MAX_RETRY_DELAY_SECONDS = 24 * 3600;
/** ...and a whole schedule must end within the 7 days the public topics keep events. */
export const MAX_RETRY_TOTAL_SECONDS = 7 * 24 * 3600;

/**
 * Why a filter glob is unusable, or null when it is fine: it must compile, within GLOB_LIMITS, to
 * the matcher delivery runs (`compileGlob`), which never backtracks and costs a bounded amount
 * per character. Unbalanced brackets and braces, groups left open, negated groups `!(…)` and
 * patterns that can match nothing are refused; so are more than 16 `*`, and ranges, braces and
 * groups that would make matching a character cost more than the limit.
 */
export function globProblem(expression: string): string | null {
  if (expression.trim().length === 0) return 'must not be empty';
  if (expression.length > MAX_GLOB_LENGTH) return `must be at most ${MAX_GLOB_LENGTH} characters`;
  if ([...expression].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    return 'must not contain control characters';
  }
  try {
    compileGlob(expression, GLOB_LIMITS);
  } catch (err) {
    if (!(err instanceof GlobError)) throw err;
    return err.kind === 'syntax'
      ? `"${expression}" is not a valid glob: ${err.message}`
      : err.message;
  }
  return null;
}

/** Why a retry schedule is unusable, or null. Delays are seconds between attempts. */
export function scheduleProblem(schedule: readonly number[]): string | null {
  const total = schedule.reduce((sum, delay) => sum + delay, 0);
  if (total > MAX_RETRY_TOTAL_SECONDS) {
    return `the delays add up to ${total} s; a schedule must end within ${MAX_RETRY_TOTAL_SECONDS} s (7 days)`;
  }
  return null;
}

const topics = SubscriptionTopic.options.join(', ');
const Topic = z.enum(SubscriptionTopic.options, { error: () => `must be one of ${topics}` });

const Glob = z
  .string()
  .describe(
    `A glob (* ? [a-z] [!a-z] {a,b} {1..9}, a leading ! negates), 1–${MAX_GLOB_LENGTH} characters and at most ${GLOB_LIMITS.maxWildcards} "*", e.g. "spring-sale-*"`,
  )
  .superRefine((value, ctx) => {
    const problem = globProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const Filter = z.strictObject({
  field: z.enum(SubscriptionFilterField.options, {
    error: () => `must be one of ${SubscriptionFilterField.options.join(', ')}`,
  }),
  expression: Glob,
});

const Schedule = z
  .array(
    z
      .number()
      .int('must be whole seconds')
      .min(1, 'must be at least 1 second')
      .max(MAX_RETRY_DELAY_SECONDS, `must be at most ${MAX_RETRY_DELAY_SECONDS} seconds (a day)`),
  )
  .min(1, 'must have at least one delay')
  .max(30, 'must have at most 30 delays')
  .describe(
    'Delays in seconds between attempts, e.g. [5, 30, 120]; the platform default when absent',
  )
  .superRefine((value, ctx) => {
    const problem = scheduleProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const EventType = z
  .string()
  .max(128)
  .regex(
    /^[a-z][a-z0-9_]*(\.([a-z0-9_]+|\*))+$/,
    'must be an event type such as "whatsapp.message.received" or "platform.campaign.*"',
  )
  .refine(
    (value) => value.split('*').length - 1 <= GLOB_LIMITS.maxWildcards,
    `must have at most ${GLOB_LIMITS.maxWildcards} "*" wildcards`,
  );

export const WebhookConfiguration = requestSchema(
  'WebhookConfiguration',
  z.strictObject({
    echo: z.boolean().default(false).describe('Also deliver messages the business sent itself'),
    channelTypes: z
      .array(z.string().trim().min(1).max(64))
      .max(20)
      .default([])
      .describe('Empty means every channel'),
    filters: z
      .array(Filter)
      .max(MAX_FILTERS, `must have at most ${MAX_FILTERS} filters`)
      .default([])
      .describe('Every filter must match'),
    eventTypes: z
      .array(EventType)
      .min(1)
      .max(MAX_EVENT_TYPES, `must list at most ${MAX_EVENT_TYPES} event types`)
      .optional()
      .describe('Absent means every type'),
    environments: z.array(Environment).min(1).optional().describe('Absent means every environment'),
    retry: z
      .strictObject({
        schedule: Schedule.optional(),
        timeoutMs: z
          .number()
          .int()
          .min(100)
          .max(60_000)
          .optional()
          .describe('How long one attempt may take (default 10000)'),
      })
      .optional(),
    cloudEventsMode: z
      .enum(CloudEventsMode.options, {
        error: () => `must be ${CloudEventsMode.options.join(' or ')}`,
      })
      .default('structured')
      .describe(
        'How each event is sent (CloudEvents HTTP binding): structured, the whole CloudEvent as an ' +
          'application/cloudevents+json body; binary, the event data as an application/json body ' +
          'and every other attribute in a percent-encoded ce- header',
      ),
    ordering: z
      .enum(DeliveryOrdering.options, {
        error: () => `must be ${DeliveryOrdering.options.join(' or ')}`,
      })
      .default('none')
      .describe(
        'none: each event is sent as soon as it is stored, retries may reorder them; ' +
          'conversation: the events of one conversation (business phone number and customer) ' +
          'are sent one at a time in event-time order, a failing one holding up only its own ' +
          'conversation, which is dead-lettered as a whole when blocked too long. Costs throughput',
      ),
    statusMonotonic: z
      .boolean()
      .default(false)
      .describe(
        'Never send a message status earlier in the progression (sent < delivered < read < ' +
          'played; failed terminal) than one already delivered for the same wamid; it is ' +
          'recorded in the delivery log as suppressed, with the reason, instead',
      ),
  }),
);
export type WebhookConfiguration = z.output<typeof WebhookConfiguration>;

/** A subscription's configuration when a request gives none. */
const DEFAULT_CONFIGURATION: WebhookConfiguration = {
  echo: false,
  channelTypes: [],
  filters: [],
  cloudEventsMode: 'structured',
  ordering: 'none',
  statusMonotonic: false,
};

const Address = z
  .string()
  .min(1)
  .max(MAX_ADDRESS_LENGTH)
  .describe('HTTPS URL of the endpoint; it must not resolve to a private address');

export const CreateWebhookRequest = requestSchema(
  'CreateWebhookRequest',
  z.strictObject({
    topic: Topic,
    address: Address,
    configuration: WebhookConfiguration.default(DEFAULT_CONFIGURATION),
    secret: WhsecSecret.optional().describe('A whsec_ signing secret; generated when absent'),
  }),
);
export type CreateWebhookRequest = z.output<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = requestSchema(
  'UpdateWebhookRequest',
  z
    .strictObject({
      address: Address.optional(),
      configuration: WebhookConfiguration.optional().describe('Replaces the whole configuration'),
      state: z
        .enum(['active', 'disabled'], { error: () => 'must be active or disabled' })
        .optional()
        .describe('disabled pauses deliveries; active resumes them'),
    })
    .refine((patch) => Object.values(patch).some((v) => v !== undefined), {
      message: 'give at least one of address, configuration, state',
    }),
);
export type UpdateWebhookRequest = z.output<typeof UpdateWebhookRequest>;

export const RotateWebhookSecretRequest = requestSchema(
  'RotateWebhookSecretRequest',
  z.strictObject({
    secret: WhsecSecret.optional().describe('The new whsec_ secret; generated when absent'),
    graceSeconds: GraceSeconds.optional(),
  }),
);
export type RotateWebhookSecretRequest = z.output<typeof RotateWebhookSecretRequest>;

/** A path's `:topic`. */
export const TopicParam = Topic;

const WebhookFields = {
  id: z.string().describe('Subscription id, e.g. sub_…; kept when the subscription is replaced'),
  businessId: z.string(),
  topic: SubscriptionTopic,
  address: z.string(),
  state: SubscriptionState,
  configuration: SubscriptionConfiguration,
  secrets: z.array(SecretSummary).describe('Live signing secrets, newest first, without values'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().describe('Increases with every change'),
};

export const Webhook = responseSchema('Webhook', z.object(WebhookFields));
export type Webhook = z.infer<typeof Webhook>;

export const CreatedWebhook = responseSchema(
  'CreatedWebhook',
  z.object({
    ...WebhookFields,
    replaced: z
      .boolean()
      .describe('True when a subscription to this topic existed and was replaced (same id)'),
    secret: RevealedSecret,
  }),
);
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

export const WebhookList = responseSchema('WebhookList', z.object({ items: z.array(Webhook) }));
export type WebhookList = z.infer<typeof WebhookList>;

export const RotatedWebhookSecret = responseSchema(
  'RotatedWebhookSecret',
  z.object({ webhook: Webhook, secret: RevealedSecret }),
);
export type RotatedWebhookSecret = z.infer<typeof RotatedWebhookSecret>;

/**
 * Connectly's own registration body (`POST /v1/businesses/{businessId}/create/webhooks`), as its
 * API reference writes it. `topic` defaults to Connectly's `topic_unspecified`, which is refused;
 * `type` and `configuration.webengageConfiguration` are kept as given without being acted on.
 */
export const ConnectlyCreateWebhookRequest = requestSchema(
  'ConnectlyCreateWebhookRequest',
  z.strictObject({
    topic: z
      .string()
      .max(64)
      .default('topic_unspecified')
      .superRefine((value, ctx) => {
        if (value === 'topic_unspecified') {
          ctx.addIssue({
            code: 'custom',
            message: `topic_unspecified names no topic; give one of ${topics}`,
          });
        } else if (!Topic.safeParse(value).success) {
          ctx.addIssue({ code: 'custom', message: `must be one of ${topics}` });
        }
      })
      .transform((value) => value as SubscriptionTopic)
      .describe(`Connectly's topic enum: one of ${topics} (topic_unspecified is refused)`),
    address: Address,
    type: z
      .string()
      .regex(/^[a-z0-9_]{1,64}$/, 'must be a webhook type such as webhook_type_unspecified')
      .default('webhook_type_unspecified')
      .describe('Connectly webhook type; kept, not acted on'),
    configuration: WebhookConfiguration.extend({
      webengageConfiguration: z
        .strictObject({
          webengageToken: z.string().min(1).max(1024).optional().describe('Kept sealed'),
          webengageWebhookUrl: z.string().min(1).max(MAX_ADDRESS_LENGTH).optional(),
        })
        .optional()
        .describe('Connectly WebEngage integration settings; kept, not acted on'),
    }).default(DEFAULT_CONFIGURATION),
  }),
);
export type ConnectlyCreateWebhookRequest = z.output<typeof ConnectlyCreateWebhookRequest>;

export const ConnectlyCreatedWebhook = responseSchema(
  'ConnectlyCreatedWebhook',
  z.object({ id: z.string().describe('Subscription id, e.g. sub_…') }),
);
export type ConnectlyCreatedWebhook = z.infer<typeof ConnectlyCreatedWebhook>;
