import { z } from 'zod';

import { Id, IsoDateTime } from './common';

/**
 * Run one raw webhook from the audit log through the normalizer's current mappers again, under the
 * same raw id: event ids are derived deterministically, so events already stored are not
 * published again, and the replay and its outcome are recorded in the audit log.
 */
export const ReplayRawWebhookCommand = z.object({
  id: z.uuid().describe('This command; the replay is recorded under it, once'),
  type: z.literal('replay'),
  requestId: z.uuid().describe('The admin API request that asked for it (one per call)'),
  businessId: Id.describe("The raw webhook's business; a command for another business is refused"),
  rawId: z.uuid().describe('The raw webhook to normalize again'),
  issuedAt: IsoDateTime,
});
export type ReplayRawWebhookCommand = z.infer<typeof ReplayRawWebhookCommand>;

/** An instruction to the normalizer. */
export const NormalizerCommand = z.discriminatedUnion('type', [ReplayRawWebhookCommand]).meta({
  title: 'NormalizerCommand',
  description: 'An instruction to the normalizer, on switchboard.normalizer.commands.v1',
});
export type NormalizerCommand = z.infer<typeof NormalizerCommand>;
