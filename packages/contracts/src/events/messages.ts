import { z } from 'zod';

import { canonicalEventOf } from './define';
import { MessageContent } from './message-content';
import {
  EventBusiness,
  EventContact,
  OptionalText,
  ProviderError,
  ProviderId,
  ProviderRaw,
  UtcDateTime,
} from './shared';

/** A reply's context: the message replied to, a product asked about, mentions (On-Premises). */
export const MessageContext = z.object({
  from: OptionalText.describe('Who sent the message replied to'),
  messageId: OptionalText.describe('The message replied to'),
  referredProduct: z
    .object({ catalogId: OptionalText, productRetailerId: OptionalText })
    .nullable()
    .describe('context.referred_product: the product the user asked about'),
  mentions: z.array(z.string()).optional(),
});
export type MessageContext = z.infer<typeof MessageContext>;

/** A click-to-WhatsApp ad or post the user came from. */
export const MessageReferral = z.object({
  sourceUrl: OptionalText,
  sourceId: OptionalText,
  sourceType: OptionalText.describe('ad or post'),
  body: OptionalText,
  headline: OptionalText,
  mediaType: OptionalText,
  imageUrl: OptionalText,
  videoUrl: OptionalText,
  thumbnailUrl: OptionalText,
  ctwaClid: OptionalText.describe('Click id of the click-to-WhatsApp ad'),
});
export type MessageReferral = z.infer<typeof MessageReferral>;

/** The sender's identity key state (identity change check). */
export const MessageIdentity = z.object({
  acknowledged: z.boolean().nullable(),
  createdAt: UtcDateTime.nullable(),
  hash: OptionalText,
});
export type MessageIdentity = z.infer<typeof MessageIdentity>;

const messageFields = {
  business: EventBusiness,
  messageType: z
    .string()
    .min(1)
    .describe('The type the provider named, as sent (e.g. voice); content.type is normalized'),
  timestamp: UtcDateTime.describe('When the message was sent, per the provider'),
  content: MessageContent,
  context: MessageContext.optional(),
  forwarded: z.boolean(),
  frequentlyForwarded: z.boolean(),
  referral: MessageReferral.optional(),
  identity: MessageIdentity.optional(),
  errors: z.array(ProviderError).optional().describe('e.g. why a message is unsupported'),
  raw: ProviderRaw.optional(),
};

export const MessageReceivedData = z.object({
  messageId: ProviderId.nullable().describe(
    'The provider message id (wamid on Cloud API); null only where the provider sends none',
  ),
  from: OptionalText.describe('The sender: phone-number based id; null with business-scoped ids'),
  contact: EventContact,
  ...messageFields,
  campaignName: OptionalText.optional().describe(
    "Connectly's metadata.campaign_name, CubeConnect's campaign_name",
  ),
});
export type MessageReceivedData = z.infer<typeof MessageReceivedData>;

/** A message a customer sent to the business. */
export const MessageReceivedEvent = canonicalEventOf(
  'whatsapp.message.received',
  'messages',
  MessageReceivedData,
  {
    title: 'MessageReceivedEvent',
    description: 'whatsapp.message.received: a message a WhatsApp user sent to the business',
  },
);
export type MessageReceivedEvent = z.infer<typeof MessageReceivedEvent>;

export const MessageEchoedData = z.object({
  messageId: ProviderId,
  from: OptionalText.describe('The business phone number it was sent from'),
  to: OptionalText.describe('The WhatsApp user it was sent to'),
  ...messageFields,
});
export type MessageEchoedData = z.infer<typeof MessageEchoedData>;

/** A message the business sent from the WhatsApp Business app (smb_message_echoes). */
export const MessageEchoedEvent = canonicalEventOf(
  'whatsapp.message.echoed',
  'messages',
  MessageEchoedData,
  {
    title: 'MessageEchoedEvent',
    description:
      'whatsapp.message.echoed: a message the business sent from the WhatsApp Business app',
  },
);
export type MessageEchoedEvent = z.infer<typeof MessageEchoedEvent>;

/**
 * Where a sent message stands; Connectly's delivery_failed is `failed`. A status the provider
 * named that Switchboard does not know is `unknown`, with the provider's word in `providerStatus`.
 */
export const MessageStatus = z.enum([
  'sent',
  'delivered',
  'read',
  'played',
  'failed',
  'deleted',
  'unknown',
]);
export type MessageStatus = z.infer<typeof MessageStatus>;

export const MessageStatusUpdatedData = z.object({
  messageId: ProviderId.describe('The id of the message sent (wamid on Cloud API)'),
  status: MessageStatus,
  providerStatus: z.string().min(1).describe('The status as the provider named it'),
  recipientId: OptionalText,
  recipientUserId: OptionalText.optional().describe('Business-scoped user id of the recipient'),
  business: EventBusiness,
  timestamp: UtcDateTime,
  conversation: z
    .object({
      id: OptionalText,
      expiresAt: UtcDateTime.nullable(),
      originType: OptionalText.describe('e.g. marketing, utility, authentication, service'),
    })
    .nullable(),
  pricing: z
    .object({
      billable: z.boolean().nullable(),
      pricingModel: OptionalText.describe('CBP or PMP'),
      type: OptionalText,
      category: OptionalText,
    })
    .nullable(),
  errors: z.array(ProviderError),
  callbackData: OptionalText.describe('biz_opaque_callback_data set when the message was sent'),
  campaignName: OptionalText.optional().describe(
    "Connectly's metadata.campaign_name, CubeConnect's campaign_name",
  ),
  raw: ProviderRaw.optional(),
});
export type MessageStatusUpdatedData = z.infer<typeof MessageStatusUpdatedData>;

/** A sent message's status changed (up to three per message, in no guaranteed order). */
export const MessageStatusUpdatedEvent = canonicalEventOf(
  'whatsapp.message.status_updated',
  'delivery_status',
  MessageStatusUpdatedData,
  {
    title: 'MessageStatusUpdatedEvent',
    description: "whatsapp.message.status_updated: a sent message's delivery status changed",
  },
);
export type MessageStatusUpdatedEvent = z.infer<typeof MessageStatusUpdatedEvent>;

export const ErrorReportedData = z.object({
  error: ProviderError,
  business: EventBusiness,
  raw: ProviderRaw.optional(),
});
export type ErrorReportedData = z.infer<typeof ErrorReportedData>;

/**
 * An error the provider reported outside any message or status: a change-level `errors[]` on
 * Cloud API, an `{errors}` body on On-Premises.
 */
export const ErrorReportedEvent = canonicalEventOf(
  'whatsapp.error.reported',
  'messages',
  ErrorReportedData,
  {
    title: 'ErrorReportedEvent',
    description: 'whatsapp.error.reported: an out-of-band error the provider reported',
  },
);
export type ErrorReportedEvent = z.infer<typeof ErrorReportedEvent>;
