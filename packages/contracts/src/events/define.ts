import { z } from 'zod';

import { cloudEventFamilyOf, cloudEventOf } from '../cloud-event';
import type { SubscriptionTopic } from '../common';

type Documentation = {
  /** The schema's name: its JSON Schema title and file name. */
  readonly title: string;
  readonly description: string;
};

/**
 * The schema of one canonical event type: a CloudEvent with `type` and `topic` fixed and `data`
 * typed.
 */
export function canonicalEventOf<
  const T extends string,
  const P extends SubscriptionTopic,
  D extends z.ZodType<Record<string, unknown>>,
>(type: T, topic: P, data: D, docs: Documentation) {
  return cloudEventOf(type, data)
    .extend({ topic: z.literal(topic) })
    .meta(docs);
}

/** The schema of a family of canonical event types (`<prefix>.<event>`) on one topic. */
export function canonicalEventFamilyOf<
  const F extends string,
  const P extends SubscriptionTopic,
  D extends z.ZodType<Record<string, unknown>>,
>(prefix: F, topic: P, data: D, docs: Documentation) {
  return cloudEventFamilyOf(prefix, data)
    .extend({ topic: z.literal(topic) })
    .meta(docs);
}
