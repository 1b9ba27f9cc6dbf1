import { createHmac } from 'node:crypto';

import type { CloudEvent } from './cloud-event';
import type { SourceRecord, SubscriptionRecord } from './config-records';
import type {
  DeliveryAttempt,
  RecoverDeliveriesCommand,
  RetryDeliveryCommand,
  SubscriptionHealthEvent,
  TestDeliveryCommand,
} from './delivery';
import { eventExamples } from './events/examples';
import type { DeadLetter, RejectedRequest } from './inbound-failures';
import type { ReplayRawWebhookCommand } from './normalizer-commands';
import { type RawInboundEnvelope, createRawEnvelope } from './raw-inbound';

/** A Meta Cloud API webhook carrying one inbound text message. */
const metaTextMessageBody = JSON.stringify({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
            contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
            messages: [
              {
                from: '16505551234',
                id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
                timestamp: '1749416383',
                type: 'text',
                text: { body: 'Does it come in another color?' },
              },
            ],
          },
        },
      ],
    },
  ],
});

/** The Meta app secret of the example source; it signs the example raw body. */
const metaAppSecret = 'meta-app-secret-7f3a9c';

const metaSignature = `sha256=${createHmac('sha256', metaAppSecret)
  .update(metaTextMessageBody)
  .digest('hex')}`;

const rawInboundEnvelope: RawInboundEnvelope = createRawEnvelope({
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  sourceId: 'src_meta_acme',
  provider: 'meta',
  businessId: 'biz_acme',
  environment: 'production',
  receivedAt: '2026-03-10T11:30:00.123Z',
  contentType: 'application/json',
  headers: {
    'user-agent': 'facebookexternalua',
    'x-hub-signature-256': metaSignature,
  },
  body: Buffer.from(metaTextMessageBody, 'utf8'),
});

const rejectedRequest: RejectedRequest = {
  id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  receivedAt: '2026-03-10T11:30:01.000Z',
  route: 'connectly',
  method: 'POST',
  sourceId: 'src_connectly_acme',
  businessId: 'biz_acme',
  reason: 'signature_invalid',
  message: 'x-connectly-hmac-sha256 does not match the body',
  remoteAddress: '203.0.113.7',
  headers: {
    'content-type': 'application/json',
    'x-connectly-hmac-sha256': '[redacted]',
  },
  bodyBytes: 342,
  bodySha256: 'c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a',
};

const deadLetter: DeadLetter = {
  id: 'a3bb189e-8bf9-4888-9912-ace4e6543002',
  rawId: rawInboundEnvelope.id,
  sourceId: rawInboundEnvelope.sourceId,
  receivedAt: rawInboundEnvelope.receivedAt,
  failedAt: '2026-03-10T11:30:00.250Z',
  reason: { code: 'payload_schema_violation', message: 'entry[0].changes is not an array' },
  issues: [
    {
      path: ['entry', 0, 'changes'],
      message: 'Invalid input: expected array, received object',
      code: 'invalid_type',
    },
  ],
  original: { kind: 'envelope', envelope: rawInboundEnvelope },
};

const deadLetterFromBytes: DeadLetter = {
  id: 'b6f1e2d3-4c5a-4b6c-8d7e-9f0a1b2c3d4e',
  rawId: null,
  sourceId: null,
  receivedAt: null,
  failedAt: '2026-03-10T11:30:00.250Z',
  reason: { code: 'envelope_malformed_json', message: 'Unexpected token } in JSON at position 9' },
  issues: [],
  original: { kind: 'bytes', base64: Buffer.from('{"id":"x"}}', 'utf8').toString('base64') },
};

const sourceRecord: SourceRecord = {
  kind: 'source',
  id: 'src_meta_acme',
  businessId: 'biz_acme',
  provider: 'meta',
  environment: 'production',
  enabled: true,
  secrets: [
    {
      id: 'sec_2026_03',
      value: metaAppSecret,
      createdAt: '2026-03-01T09:00:00Z',
      expiresAt: null,
    },
  ],
  verifyToken: 'acme-verify-3b8e',
  externalIds: { wabaIds: ['102290129340398'], phoneNumberIds: ['106540352242922'] },
  updatedAt: '2026-03-01T09:00:00Z',
  version: 3,
};

const subscriptionRecord: SubscriptionRecord = {
  kind: 'subscription',
  id: 'sub_acme_messages',
  businessId: 'biz_acme',
  topic: 'messages',
  address: 'https://hooks.acme.example/whatsapp',
  state: 'active',
  configuration: {
    echo: false,
    channelTypes: ['whatsapp'],
    filters: [{ field: 'campaign_name', expression: 'spring-sale-*' }],
    environments: ['production'],
    retry: { schedule: [5, 30, 120], timeoutMs: 10_000 },
  },
  secrets: [
    {
      id: 'whs_1',
      value: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      createdAt: '2026-03-01T09:00:00Z',
      expiresAt: null,
    },
  ],
  updatedAt: '2026-03-01T09:05:00Z',
  version: 1,
};

/** The canonical event of the raw envelope above: what the normalizer makes of it. */
const cloudEvent: CloudEvent = eventExamples.MessageReceivedEvent;

const deliveryAttempt: DeliveryAttempt = {
  id: 'd9428888-122b-41b8-9d5c-3e6f1f4b8a2c',
  deliveryId: 'dlv_acme_messages_5f0c2a9e',
  eventId: cloudEvent.id,
  eventType: cloudEvent.type,
  businessId: 'biz_acme',
  subscriptionId: subscriptionRecord.id,
  topic: 'messages',
  attempt: 2,
  attemptedAt: '2026-03-10T11:30:05.400Z',
  outcome: 'failed',
  statusCode: 503,
  latencyMs: 87.4,
  error: 'HTTP 503',
  responseBody: 'Service Unavailable',
  nextAttemptAt: '2026-03-10T11:30:35.400Z',
};

const retryDeliveryCommand: RetryDeliveryCommand = {
  type: 'retry',
  id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  businessId: 'biz_acme',
  issuedAt: '2026-03-11T08:00:00Z',
  deliveryId: deliveryAttempt.deliveryId,
};

const recoverDeliveriesCommand: RecoverDeliveriesCommand = {
  type: 'recover',
  id: '6ba7b810-9dad-41d1-80b4-00c04fd430c8',
  businessId: 'biz_acme',
  issuedAt: '2026-03-11T08:00:00Z',
  subscriptionId: subscriptionRecord.id,
  topic: 'messages',
  since: '2026-03-10T00:00:00Z',
};

const testDeliveryCommand: TestDeliveryCommand = {
  type: 'test',
  id: '9b2e7c4a-1f3d-4e8b-a6c5-2d7f0e9b8a13',
  businessId: 'biz_acme',
  issuedAt: '2026-03-10T12:00:00Z',
  subscriptionId: subscriptionRecord.id,
  topic: 'messages',
  requestId: 'req_41c7',
};

const replayRawWebhookCommand: ReplayRawWebhookCommand = {
  id: '1d3f5a7c-9e2b-4c6d-8f0a-3b5c7d9e1f2a',
  type: 'replay',
  requestId: '6e8a0c2e-4f6b-4d8c-9a1e-5c7d9f1b3d5e',
  businessId: 'biz_acme',
  rawId: rawInboundEnvelope.id,
  issuedAt: '2026-03-10T12:20:00Z',
};

const subscriptionHealthEvent: SubscriptionHealthEvent = {
  id: 'c56a4180-65aa-42ec-a945-5fd21dec0538',
  type: 'subscription.failing',
  businessId: 'biz_acme',
  subscriptionId: subscriptionRecord.id,
  topic: 'messages',
  occurredAt: '2026-03-10T12:10:00Z',
  reason: '12 consecutive failures (last: HTTP 503)',
  consecutiveFailures: 12,
};

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Valid example values, one per named schema plus notable variants. Shared by tests across the
 * repository; they are frozen, so copy (`structuredClone`) before changing one.
 */
export const examples = deepFreeze({
  /** The body bytes of `RawInboundEnvelope` as text. */
  metaTextMessageBody,
  /** `SourceRecord`'s secret; `RawInboundEnvelope`'s `x-hub-signature-256` verifies with it. */
  metaAppSecret,
  RawInboundEnvelope: rawInboundEnvelope,
  RejectedRequest: rejectedRequest,
  DeadLetter: deadLetter,
  DeadLetterFromBytes: deadLetterFromBytes,
  ConfigRecord: sourceRecord,
  SourceRecord: sourceRecord,
  SubscriptionRecord: subscriptionRecord,
  CloudEvent: cloudEvent,
  // One per canonical event type: MessageReceivedEvent, ..., WebhookTestEvent.
  ...eventExamples,
  DeliveryAttempt: deliveryAttempt,
  DeliveryCommand: retryDeliveryCommand,
  RetryDeliveryCommand: retryDeliveryCommand,
  RecoverDeliveriesCommand: recoverDeliveriesCommand,
  TestDeliveryCommand: testDeliveryCommand,
  NormalizerCommand: replayRawWebhookCommand,
  ReplayRawWebhookCommand: replayRawWebhookCommand,
  SubscriptionHealthEvent: subscriptionHealthEvent,
});
