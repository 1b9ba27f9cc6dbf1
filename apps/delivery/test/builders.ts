import { randomBytes } from 'node:crypto';
import type {
  CloudEvent,
  SubscriptionConfiguration,
  SubscriptionRecord,
  SubscriptionTopic,
  WebhookSecret,
} from '@switchboard/contracts';

/** A fresh `whsec_` secret. */
export function webhookSecret(
  id = `whs_${randomBytes(3).toString('hex')}`,
  createdAt = '2026-01-01T00:00:00Z',
  expiresAt: string | null = null,
): WebhookSecret {
  return { id, value: `whsec_${randomBytes(24).toString('base64')}`, createdAt, expiresAt };
}

/** A valid subscription record; `configuration` fields given replace the defaults. */
export function subscriptionRecord(
  overrides: Partial<Omit<SubscriptionRecord, 'configuration'>> & {
    configuration?: Partial<SubscriptionConfiguration>;
  } = {},
): SubscriptionRecord {
  const { configuration, ...rest } = overrides;
  return {
    kind: 'subscription',
    id: `sub_${randomBytes(4).toString('hex')}`,
    businessId: 'biz_acme',
    topic: 'messages',
    address: 'https://hooks.acme.example/whatsapp',
    state: 'active',
    configuration: { echo: false, channelTypes: [], filters: [], ...configuration },
    secrets: [webhookSecret()],
    updatedAt: '2026-03-01T09:05:00Z',
    version: 1,
    ...rest,
  };
}

/** A valid canonical event with a unique id; `data` given replaces the default data. */
export function cloudEvent(
  overrides: Partial<CloudEvent> & { topic?: SubscriptionTopic } = {},
): CloudEvent {
  return {
    specversion: '1.0',
    id: `evt_${randomBytes(8).toString('hex')}`,
    source: 'switchboard/meta/102290129340398',
    type: 'whatsapp.message.received',
    time: '2026-03-10T11:30:00Z',
    subject: '106540352242922:16505551234',
    datacontenttype: 'application/json',
    businessid: 'biz_acme',
    topic: 'messages',
    environment: 'production',
    provider: 'meta',
    rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
    data: {
      messageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      business: { phoneNumberId: '106540352242922', displayPhoneNumber: null, wabaId: null },
      messageType: 'text',
      content: { type: 'text', text: 'Does it come in another color?' },
    },
    ...overrides,
  };
}
