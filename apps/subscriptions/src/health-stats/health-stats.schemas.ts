import { SubscriptionState, SubscriptionTopic } from '@switchboard/contracts';
import { z } from 'zod';
import { responseSchema } from '../openapi/api-schemas';

/** The windows the aggregate covers, each cut into buckets of a fixed length for charts. */
export const statsWindows = {
  '1h': { spanMs: 3600_000, bucketMs: 5 * 60_000 },
  '24h': { spanMs: 24 * 3600_000, bucketMs: 3600_000 },
  '7d': { spanMs: 7 * 24 * 3600_000, bucketMs: 6 * 3600_000 },
} as const;
export type StatsWindowName = keyof typeof statsWindows;

const Figures = {
  attempts: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int().describe('Attempts that did not succeed (failed or dead-lettered)'),
  successRate: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe('succeeded / attempts (0..1); null without attempts'),
  p50LatencyMs: z.number().nullable().describe('Median attempt latency; null without attempts'),
  p99LatencyMs: z.number().nullable().describe('99th percentile attempt latency'),
};

const Bucket = z.object({ start: z.iso.datetime(), ...Figures });
export type StatsBucket = z.infer<typeof Bucket>;

const StatsWindow = z.object({
  from: z.iso.datetime(),
  bucketSeconds: z.number().int(),
  ...Figures,
  buckets: z.array(Bucket).describe('Consecutive buckets from `from` to now, oldest first'),
});
export type StatsWindow = z.infer<typeof StatsWindow>;

const Transition = z.object({
  at: z.iso.datetime(),
  state: z.enum(['active', 'failing', 'disabled', 'recovered']),
  source: z
    .enum(['attempts', 'announcement'])
    .describe(
      "attempts: where the recorded attempts changed between success and failure; announcement: the delivery service's latest health announcement",
    ),
  detail: z.string().nullable(),
});
export type StateTransition = z.infer<typeof Transition>;

export const WebhookHealthStats = responseSchema(
  'WebhookHealthStats',
  z.object({
    subscriptionId: z.string(),
    topic: SubscriptionTopic,
    state: SubscriptionState.describe('The subscription state as stored'),
    generatedAt: z.iso.datetime(),
    windows: z.object({ '1h': StatsWindow, '24h': StatsWindow, '7d': StatsWindow }),
    consecutiveFailures: z
      .number()
      .int()
      .describe('Recorded attempts failed since the last success'),
    lastError: z
      .object({
        at: z.iso.datetime(),
        statusCode: z.number().int().nullable(),
        error: z.string().nullable(),
        responseSnippet: z
          .string()
          .nullable()
          .describe("The first 500 characters of the endpoint's answer, if it answered"),
      })
      .nullable()
      .describe('The latest attempt that did not succeed; null when none did'),
    timeline: z
      .array(Transition)
      .describe('State changes over the last 7 days (at most 50, oldest first)'),
  }),
);
export type WebhookHealthStats = z.infer<typeof WebhookHealthStats>;
