import { z } from 'zod';

/**
 * Pieces shared by the canonical event data shapes. Provider ids are kept exactly as sent (no
 * trimming, no case changes); a value the provider did not send is `null`, never guessed.
 */

/** An ISO 8601 date-time in UTC (`Z`), e.g. `2025-06-08T20:59:43Z`; every data timestamp is one. */
export const UtcDateTime = z.iso.datetime();
export type UtcDateTime = z.infer<typeof UtcDateTime>;

/** A provider's id, exactly as sent. */
export const ProviderId = z.string().min(1);

/** Text a provider may leave out. */
export const OptionalText = z.string().nullable();

/** A JSON object carried as the provider sent it (unknown fields included). */
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

/**
 * `data.raw`: the provider's object an event was mapped from, exactly as received, so that every
 * field the provider sent is kept, those the canonical model has no place for included (Connectly's
 * `recipient.name` and `metadata`, CubeConnect's `tenant_id`, ...). The README says, per provider,
 * which object lands here.
 */
export const ProviderRaw = JsonObject.describe(
  'The provider object the event was mapped from, exactly as received (every field it sent)',
);

/**
 * The WhatsApp user an event concerns. `waId` is the phone-number based id; `userId` and
 * `parentUserId` are business-scoped user ids, which newer API versions send where there is no
 * phone number.
 */
export const EventContact = z.object({
  waId: OptionalText,
  userId: OptionalText,
  parentUserId: OptionalText,
  profileName: OptionalText,
  username: OptionalText,
});
export type EventContact = z.infer<typeof EventContact>;

/** The business side of an event: its phone number (id and display form) and its account. */
export const EventBusiness = z.object({
  phoneNumberId: OptionalText.describe("Meta's phone_number_id; null where the provider has none"),
  displayPhoneNumber: OptionalText,
  wabaId: OptionalText.describe('The WhatsApp Business Account id'),
});
export type EventBusiness = z.infer<typeof EventBusiness>;

/**
 * An error a provider reported: Meta's `{code, title, message, error_data.details, href}`, the
 * On-Premises `{code, title, details, href}` and Connectly's `{code, message, type, userTitle,
 * userMessage, cntTraceId, details}` all fit.
 */
export const ProviderError = z.object({
  code: z.union([z.number(), z.string()]).nullable(),
  title: OptionalText,
  message: OptionalText,
  details: OptionalText,
  href: OptionalText,
  type: OptionalText.optional(),
  userTitle: OptionalText.optional(),
  userMessage: OptionalText.optional(),
  traceId: OptionalText.optional().describe("Connectly's cntTraceId"),
});
export type ProviderError = z.infer<typeof ProviderError>;
