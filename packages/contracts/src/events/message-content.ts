import { z } from 'zod';

import { JsonObject, OptionalText } from './shared';

/**
 * What a WhatsApp message carries, discriminated by `type`. One variant per message type Meta
 * documents; the On-Premises `voice` is `audio` with `voice: true`, its `unknown` is
 * `unsupported`, and a type Switchboard does not model yet is `unrecognized` with the provider's
 * object kept.
 */

const media = {
  mediaId: OptionalText.describe('The media id to download it with (a UUID on On-Premises)'),
  mimeType: OptionalText,
  sha256: OptionalText,
  caption: OptionalText,
  url: OptionalText,
  file: OptionalText.optional().describe('On-Premises: where the media file is stored'),
};

export const TextContent = z.object({ type: z.literal('text'), body: z.string() });

export const ImageContent = z.object({ type: z.literal('image'), ...media });

export const AudioContent = z.object({
  type: z.literal('audio'),
  ...media,
  voice: z.boolean().describe('A voice note (Cloud API audio.voice, On-Premises type voice)'),
});

export const VideoContent = z.object({ type: z.literal('video'), ...media });

export const DocumentContent = z.object({
  type: z.literal('document'),
  ...media,
  filename: OptionalText,
});

export const StickerContent = z.object({
  type: z.literal('sticker'),
  ...media,
  animated: z.boolean(),
});

export const LocationContent = z.object({
  type: z.literal('location'),
  latitude: z.number(),
  longitude: z.number(),
  name: OptionalText,
  address: OptionalText,
  url: OptionalText,
});

export const ContactsContent = z.object({
  type: z.literal('contacts'),
  contacts: z.array(JsonObject).describe('The shared contact cards (vCard-like), as sent'),
});

export const ButtonReply = z.object({
  type: z.literal('button_reply'),
  id: OptionalText,
  title: OptionalText,
});

export const ListReply = z.object({
  type: z.literal('list_reply'),
  id: OptionalText,
  title: OptionalText,
  description: OptionalText,
});

export const FlowReply = z.object({
  type: z.literal('nfm_reply'),
  name: OptionalText,
  body: OptionalText,
  responseJson: OptionalText.describe('response_json exactly as sent (a JSON string)'),
  response: JsonObject.nullable().describe(
    'response_json parsed; null when it is not a JSON object',
  ),
});

export const UnrecognizedReply = z.object({
  type: z.literal('unrecognized'),
  interactiveType: OptionalText,
  value: z.unknown().describe('The interactive object as sent'),
});

export const InteractiveReply = z.discriminatedUnion('type', [
  ButtonReply,
  ListReply,
  FlowReply,
  UnrecognizedReply,
]);
export type InteractiveReply = z.infer<typeof InteractiveReply>;

export const InteractiveContent = z.object({
  type: z.literal('interactive'),
  reply: InteractiveReply,
});

export const ButtonContent = z.object({
  type: z.literal('button'),
  payload: OptionalText,
  text: OptionalText,
  id: OptionalText.optional().describe("Connectly's buttonResponse.id"),
});

export const ReactionContent = z.object({
  type: z.literal('reaction'),
  messageId: OptionalText.describe('The message reacted to'),
  emoji: OptionalText,
  removed: z
    .boolean()
    .describe('True when the emoji is empty or missing: the reaction was removed'),
});

export const OrderItem = z.object({
  productRetailerId: OptionalText,
  quantity: z.number().nullable(),
  itemPrice: z.number().nullable(),
  currency: OptionalText,
});

export const OrderContent = z.object({
  type: z.literal('order'),
  catalogId: OptionalText,
  text: OptionalText,
  productItems: z.array(OrderItem),
});

export const SystemContent = z.object({
  type: z.literal('system'),
  systemType: OptionalText.describe('e.g. user_changed_number'),
  body: OptionalText,
  waId: OptionalText,
  newWaId: OptionalText,
});

export const UnsupportedContent = z.object({
  type: z.literal('unsupported').describe('Cloud API unsupported, On-Premises unknown'),
});

export const RequestWelcomeContent = z.object({ type: z.literal('request_welcome') });

export const UnrecognizedContent = z.object({
  type: z.literal('unrecognized'),
  providerType: OptionalText.describe('The type the provider named'),
  value: z.unknown().describe('The object named after the type, as sent; null when absent'),
});

const plainVariants = [
  TextContent,
  ImageContent,
  AudioContent,
  VideoContent,
  DocumentContent,
  StickerContent,
  LocationContent,
  ContactsContent,
  InteractiveContent,
  ButtonContent,
  ReactionContent,
  OrderContent,
  SystemContent,
  UnsupportedContent,
  RequestWelcomeContent,
  UnrecognizedContent,
] as const;

/** The new content of an edited message: any content but an edit or a revoke. */
export const EditedContent = z.discriminatedUnion('type', plainVariants);
export type EditedContent = z.infer<typeof EditedContent>;

export const EditContent = z.object({
  type: z.literal('edit'),
  originalMessageId: OptionalText,
  message: EditedContent.nullable(),
});

export const RevokeContent = z.object({
  type: z.literal('revoke'),
  originalMessageId: OptionalText,
});

export const MessageContent = z.discriminatedUnion('type', [
  ...plainVariants,
  EditContent,
  RevokeContent,
]);
export type MessageContent = z.infer<typeof MessageContent>;
export type MessageContentType = MessageContent['type'];

/** Every content type, for documentation and tests. */
export const messageContentTypes: readonly MessageContentType[] = Object.freeze(
  MessageContent.options.map((option) => option.shape.type.value),
);
