import { z } from 'zod';

import { canonicalEventOf } from './define';
import { JsonObject, OptionalText } from './shared';

const raw = JsonObject.describe('The change value (or provider event) exactly as sent');

export const AccountQualityChangedData = z.object({
  displayPhoneNumber: OptionalText,
  event: z
    .string()
    .min(1)
    .describe('FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE, ONBOARDING, ... (open); block, report'),
  currentLimit: OptionalText.describe('Messaging limit tier, e.g. TIER_1K'),
  oldLimit: OptionalText,
  maxDailyConversationsPerBusiness: z.union([z.number(), z.string()]).nullable(),
  wabaId: OptionalText,
  raw,
});
export type AccountQualityChangedData = z.infer<typeof AccountQualityChangedData>;

/** A phone number's quality rating or messaging limit changed (phone_number_quality_update). */
export const AccountQualityChangedEvent = canonicalEventOf(
  'whatsapp.account.quality_changed',
  'account',
  AccountQualityChangedData,
  {
    title: 'AccountQualityChangedEvent',
    description:
      "whatsapp.account.quality_changed: a phone number's quality or messaging limit changed",
  },
);
export type AccountQualityChangedEvent = z.infer<typeof AccountQualityChangedEvent>;

const accountChange = { wabaId: OptionalText, raw };

export const AccountUpdateChange = z.object({
  change: z.literal('account_update'),
  event: OptionalText.describe('e.g. VERIFIED_ACCOUNT, DISABLED_UPDATE, ACCOUNT_VIOLATION'),
  ...accountChange,
});

export const AccountReviewUpdateChange = z.object({
  change: z.literal('account_review_update'),
  decision: OptionalText.describe('APPROVED, REJECTED, PENDING, ...'),
  ...accountChange,
});

export const BusinessCapabilityUpdateChange = z.object({
  change: z.literal('business_capability_update'),
  maxDailyConversationsPerBusiness: z.union([z.number(), z.string()]).nullable(),
  maxPhoneNumbersPerBusiness: z.union([z.number(), z.string()]).nullable(),
  ...accountChange,
});

export const PhoneNumberNameUpdateChange = z.object({
  change: z.literal('phone_number_name_update'),
  displayPhoneNumber: OptionalText,
  decision: OptionalText,
  requestedVerifiedName: OptionalText,
  rejectionReason: OptionalText,
  ...accountChange,
});

export const SecurityChange = z.object({
  change: z.literal('security'),
  displayPhoneNumber: OptionalText,
  event: OptionalText.describe('e.g. PIN_CHANGED, PIN_RESET_REQUEST'),
  requester: OptionalText,
  ...accountChange,
});

/** Discriminated by `change`, the Cloud API field it came from; `raw` keeps the value as sent. */
export const AccountUpdatedData = z.discriminatedUnion('change', [
  AccountUpdateChange,
  AccountReviewUpdateChange,
  BusinessCapabilityUpdateChange,
  PhoneNumberNameUpdateChange,
  SecurityChange,
]);
export type AccountUpdatedData = z.infer<typeof AccountUpdatedData>;

export const AccountUpdatedEvent = canonicalEventOf(
  'whatsapp.account.updated',
  'account',
  AccountUpdatedData,
  {
    title: 'AccountUpdatedEvent',
    description:
      'whatsapp.account.updated: the business account, its review, capabilities, display name or security changed',
  },
);
export type AccountUpdatedEvent = z.infer<typeof AccountUpdatedEvent>;

export const AccountAlertData = z.object({
  entityType: OptionalText,
  entityId: OptionalText,
  alertSeverity: OptionalText,
  alertStatus: OptionalText,
  alertType: OptionalText,
  alertDescription: OptionalText,
  wabaId: OptionalText,
  raw,
});
export type AccountAlertData = z.infer<typeof AccountAlertData>;

export const AccountAlertEvent = canonicalEventOf(
  'whatsapp.account.alert',
  'account',
  AccountAlertData,
  {
    title: 'AccountAlertEvent',
    description: 'whatsapp.account.alert: Meta raised an alert about the account (account_alerts)',
  },
);
export type AccountAlertEvent = z.infer<typeof AccountAlertEvent>;
