import { z } from 'zod';

import { canonicalEventFamilyOf } from './define';
import { JsonObject, OptionalText, ProviderRaw } from './shared';

/**
 * Platform events: what a messaging platform (CubeConnect, Cunnekt via Standard Webhooks) reports
 * about its own objects. One schema per family; `type` is `platform.<family>.<event>`, and `data`
 * carries a few normalized fields plus the provider's event object as sent (`payload`).
 */

const platform = {
  event: z.string().min(1).describe('The event name as the provider sent it'),
  payload: JsonObject.describe("The provider's event fields exactly as sent"),
  raw: ProviderRaw.optional().describe(
    'The whole body as received, when the event fields sat in a `data` object beside envelope ' +
      'fields (e.g. CubeConnect tenant_id)',
  ),
};

export const PlatformCampaignData = z.object({
  ...platform,
  campaignId: OptionalText,
  campaignName: OptionalText,
});
export type PlatformCampaignData = z.infer<typeof PlatformCampaignData>;

export const PlatformCampaignEvent = canonicalEventFamilyOf(
  'platform.campaign',
  'platform',
  PlatformCampaignData,
  {
    title: 'PlatformCampaignEvent',
    description: 'platform.campaign.<event>: a campaign was created, started, completed, ...',
  },
);
export type PlatformCampaignEvent = z.infer<typeof PlatformCampaignEvent>;

export const PlatformFlowSessionData = z.object({
  ...platform,
  sessionId: OptionalText,
  flowId: OptionalText,
  flowName: OptionalText,
  contactId: OptionalText,
  contactPhone: OptionalText,
});
export type PlatformFlowSessionData = z.infer<typeof PlatformFlowSessionData>;

export const PlatformFlowSessionEvent = canonicalEventFamilyOf(
  'platform.flow_session',
  'platform',
  PlatformFlowSessionData,
  {
    title: 'PlatformFlowSessionEvent',
    description:
      'platform.flow_session.<event>: a chatbot or automation session started, completed, was cancelled, ...',
  },
);
export type PlatformFlowSessionEvent = z.infer<typeof PlatformFlowSessionEvent>;

export const PlatformContactData = z.object({
  ...platform,
  contactId: OptionalText,
  contactPhone: OptionalText,
  contactName: OptionalText,
});
export type PlatformContactData = z.infer<typeof PlatformContactData>;

export const PlatformContactEvent = canonicalEventFamilyOf(
  'platform.contact',
  'platform',
  PlatformContactData,
  {
    title: 'PlatformContactEvent',
    description: 'platform.contact.<event>: a contact was created, updated, ...',
  },
);
export type PlatformContactEvent = z.infer<typeof PlatformContactEvent>;

export const PlatformConversationData = z.object({
  ...platform,
  conversationId: OptionalText,
  contactId: OptionalText,
  contactPhone: OptionalText,
  status: OptionalText,
  assigneeId: OptionalText.describe('The agent or team assigned, for assignment events'),
  assigneeName: OptionalText,
});
export type PlatformConversationData = z.infer<typeof PlatformConversationData>;

export const PlatformConversationEvent = canonicalEventFamilyOf(
  'platform.conversation',
  'platform',
  PlatformConversationData,
  {
    title: 'PlatformConversationEvent',
    description:
      'platform.conversation.<event>: a conversation was opened, closed, assigned, unassigned, ...',
  },
);
export type PlatformConversationEvent = z.infer<typeof PlatformConversationEvent>;
