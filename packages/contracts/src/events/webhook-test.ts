import { z } from 'zod';

import { cloudEventOf } from '../cloud-event';
import { JsonObject, OptionalText } from './shared';

export const WebhookTestData = z.looseObject({
  subscriptionId: z.string().min(1).optional().describe('Set when Switchboard sends the test'),
  requestId: z.string().min(1).optional(),
  message: OptionalText.optional(),
  payload: JsonObject.optional().describe("A provider's test event exactly as sent"),
});
export type WebhookTestData = z.infer<typeof WebhookTestData>;

/**
 * A connection test: sent by a provider ("Send Test"), or by Switchboard's delivery service to one
 * subscription on that subscription's topic, so its `topic` may be any subscription topic.
 */
export const WebhookTestEvent = cloudEventOf('webhook.test', WebhookTestData).meta({
  title: 'WebhookTestEvent',
  description: 'webhook.test: a connection test from a provider or from Switchboard',
});
export type WebhookTestEvent = z.infer<typeof WebhookTestEvent>;
