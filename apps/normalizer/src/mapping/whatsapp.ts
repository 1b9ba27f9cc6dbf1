import {
  type EventDataOf,
  type InteractiveReply,
  type MessageContent,
  type MessageContext,
  type MessageIdentity,
  type MessageReferral,
  type MessageStatus,
  type ProviderError,
  conversationKey,
} from '@switchboard/contracts';

import {
  type JsonRecord,
  bool,
  field,
  firstStr,
  id,
  isRecord,
  list,
  num,
  parseJsonExact,
  path,
  record,
  str,
  text,
} from './json';
import type { Draft, DraftData } from './mapping-context';
import { toUtcIso } from './time';

/**
 * The WhatsApp message, status and error objects the Cloud API and the On-Premises API share (and
 * CubeConnect forwards), mapped to canonical data. Pure functions over untrusted JSON.
 */

export interface Business {
  readonly phoneNumberId: string | null;
  readonly displayPhoneNumber: string | null;
  readonly wabaId: string | null;
}

export interface Contact {
  readonly waId: string | null;
  readonly userId: string | null;
  readonly parentUserId: string | null;
  readonly profileName: string | null;
  readonly username: string | null;
}

export const noBusiness: Business = { phoneNumberId: null, displayPhoneNumber: null, wabaId: null };

/** `<phone number id or fallback>:<contact>`, or just the first part when there is no contact. */
export function conversationSubject(
  businessKey: string | null,
  fallbackKey: string,
  contact: string | null,
): string {
  const key = businessKey ?? fallbackKey;
  return contact === null ? key : conversationKey(key, contact);
}

/** A provider error in canonical form; also accepts a bare string. */
export function errorOf(value: unknown): Draft<ProviderError> {
  if (!isRecord(value)) {
    return { code: null, title: null, message: str(value), details: null, href: null };
  }
  const code = field(value, 'code');
  const details = path(value, 'error_data', 'details') ?? field(value, 'details');
  const error: Draft<ProviderError> = {
    code: typeof code === 'number' && Number.isFinite(code) ? code : str(code),
    title: str(field(value, 'title')),
    message: str(field(value, 'message')),
    details:
      typeof details === 'string' ? details : details == null ? null : JSON.stringify(details),
    href: str(field(value, 'href')),
  };
  // Connectly's extra fields, kept when sent.
  if (field(value, 'type') !== undefined) error.type = str(field(value, 'type'));
  if (field(value, 'userTitle') !== undefined) error.userTitle = str(field(value, 'userTitle'));
  if (field(value, 'userMessage') !== undefined) {
    error.userMessage = str(field(value, 'userMessage'));
  }
  if (field(value, 'cntTraceId') !== undefined) error.traceId = str(field(value, 'cntTraceId'));
  return error;
}

export function errorsOf(value: unknown): Draft<ProviderError>[] {
  return list(value).map(errorOf);
}

type EditedContent = Draft<Extract<MessageContent, { type: 'edit' }>>['message'];

type Media = Draft<Omit<Extract<MessageContent, { type: 'image' }>, 'type'>>;

function media(value: unknown): Media {
  const out: Media = {
    mediaId: id(field(value, 'id')),
    mimeType: str(field(value, 'mime_type')),
    sha256: str(field(value, 'sha256')),
    caption: str(field(value, 'caption')),
    url: firstStr(value, 'url', 'link'),
  };
  if (field(value, 'file') !== undefined) out.file = str(field(value, 'file'));
  return out;
}

function parseResponseJson(value: unknown): {
  responseJson: string | null;
  response: JsonRecord | null;
} {
  if (isRecord(value)) return { responseJson: null, response: value };
  const raw = str(value);
  if (raw === null) return { responseJson: null, response: null };
  try {
    const parsed = parseJsonExact(raw);
    return { responseJson: raw, response: isRecord(parsed) ? parsed : null };
  } catch {
    return { responseJson: raw, response: null };
  }
}

function interactiveReply(value: unknown): Draft<InteractiveReply> {
  const type = str(field(value, 'type'));
  switch (type) {
    case 'button_reply': {
      const reply = field(value, 'button_reply');
      return { type, id: id(field(reply, 'id')), title: str(field(reply, 'title')) };
    }
    case 'list_reply': {
      const reply = field(value, 'list_reply');
      return {
        type,
        id: id(field(reply, 'id')),
        title: str(field(reply, 'title')),
        description: str(field(reply, 'description')),
      };
    }
    case 'nfm_reply': {
      const reply = field(value, 'nfm_reply');
      return {
        type,
        name: str(field(reply, 'name')),
        body: str(field(reply, 'body')),
        ...parseResponseJson(field(reply, 'response_json')),
      };
    }
    default:
      return { type: 'unrecognized', interactiveType: type, value: value ?? null };
  }
}

/**
 * The content of a message object by its type. `nested` is false inside an edit, whose new
 * content cannot itself be an edit or a revoke.
 */
export function contentOf(message: unknown, nested = true): Draft<MessageContent> {
  const type = str(field(message, 'type'));
  const body = type === null ? undefined : field(message, type);
  switch (type) {
    case 'text':
      return { type: 'text', body: str(field(body, 'body')) };
    case 'image':
    case 'video':
      return { type, ...media(body) };
    case 'document':
      return { type, ...media(body), filename: str(field(body, 'filename')) };
    case 'sticker':
      return { type, ...media(body), animated: bool(field(body, 'animated')) ?? false };
    case 'audio':
      return { type: 'audio', ...media(body), voice: bool(field(body, 'voice')) ?? false };
    case 'voice':
      return { type: 'audio', ...media(body), voice: true };
    case 'location':
      return {
        type,
        latitude: num(field(body, 'latitude')),
        longitude: num(field(body, 'longitude')),
        name: str(field(body, 'name')),
        address: str(field(body, 'address')),
        url: str(field(body, 'url')),
      };
    case 'contacts':
      return { type, contacts: list(body).filter(isRecord) };
    case 'interactive':
      return { type, reply: interactiveReply(body) };
    case 'button':
      return { type, payload: str(field(body, 'payload')), text: str(field(body, 'text')) };
    case 'reaction': {
      const emoji = str(field(body, 'emoji'));
      return {
        type,
        messageId: id(field(body, 'message_id')),
        emoji: emoji === '' ? null : emoji,
        removed: emoji === null || emoji === '',
      };
    }
    case 'order':
      return {
        type,
        catalogId: id(field(body, 'catalog_id')),
        text: str(field(body, 'text')),
        productItems: list(field(body, 'product_items')).map((item) => ({
          productRetailerId: id(field(item, 'product_retailer_id')),
          quantity: num(field(item, 'quantity')),
          itemPrice: num(field(item, 'item_price')),
          currency: str(field(item, 'currency')),
        })),
      };
    case 'system':
      return {
        type,
        systemType: str(field(body, 'type')),
        body: str(field(body, 'body')),
        waId: id(field(body, 'wa_id')) ?? id(field(body, 'customer')),
        newWaId: id(field(body, 'new_wa_id')),
      };
    case 'unsupported':
    case 'unknown':
      return { type: 'unsupported' };
    case 'request_welcome':
      return { type };
    case 'edit':
      if (nested) {
        const edited = field(body, 'message');
        return {
          type,
          originalMessageId: id(field(body, 'original_message_id')),
          // Not nested, contentOf gives no edit or revoke: the content an edit may carry.
          message: isRecord(edited) ? (contentOf(edited, false) as EditedContent) : null,
        };
      }
      break;
    case 'revoke':
      if (nested) return { type, originalMessageId: id(field(body, 'original_message_id')) };
      break;
    default:
      break;
  }
  return { type: 'unrecognized', providerType: type, value: body ?? null };
}

function contextOf(value: unknown): Draft<MessageContext> | undefined {
  if (!isRecord(value)) return undefined;
  const product = record(field(value, 'referred_product'));
  const mentions = field(value, 'mentions');
  const context: Draft<MessageContext> = {
    from: id(field(value, 'from')),
    messageId: id(field(value, 'id')) ?? id(field(value, 'message_id')),
    referredProduct: product
      ? {
          catalogId: id(field(product, 'catalog_id')),
          productRetailerId: id(field(product, 'product_retailer_id')),
        }
      : null,
  };
  if (Array.isArray(mentions)) context.mentions = mentions.map(text).filter((m) => m !== null);
  const meaningful =
    context.from !== null ||
    context.messageId !== null ||
    product !== null ||
    context.mentions !== undefined;
  return meaningful ? context : undefined;
}

/** A click-to-WhatsApp referral; accepts Meta's snake_case and camelCase field names. */
export function referralOf(value: unknown): Draft<MessageReferral> | undefined {
  if (!isRecord(value)) return undefined;
  const pick = (snake: string, camel: string): string | null =>
    text(field(value, snake)) ?? text(field(value, camel));
  return {
    sourceUrl: pick('source_url', 'sourceUrl'),
    sourceId: pick('source_id', 'sourceId'),
    sourceType: pick('source_type', 'sourceType'),
    body: pick('body', 'body'),
    headline: pick('headline', 'headline'),
    mediaType: pick('media_type', 'mediaType'),
    imageUrl: pick('image_url', 'imageUrl'),
    videoUrl: pick('video_url', 'videoUrl'),
    thumbnailUrl: pick('thumbnail_url', 'thumbnailUrl'),
    ctwaClid: pick('ctwa_clid', 'ctwaClid'),
  };
}

function identityOf(value: unknown): Draft<MessageIdentity> | undefined {
  if (!isRecord(value)) return undefined;
  return {
    acknowledged: bool(field(value, 'acknowledged')),
    createdAt: toUtcIso(field(value, 'created_timestamp')),
    hash: str(field(value, 'hash')),
  };
}

/** The fields every message event's data shares (received and echoed). */
export type MessageFields = Draft<
  Pick<
    EventDataOf<'whatsapp.message.received'>,
    | 'business'
    | 'messageType'
    | 'timestamp'
    | 'content'
    | 'context'
    | 'forwarded'
    | 'frequentlyForwarded'
    | 'referral'
    | 'identity'
    | 'errors'
  >
>;

/** The parts of a message object every message event shares. */
export interface MessageParts {
  readonly messageId: string | null;
  readonly from: string | null;
  readonly timestamp: string | null;
  /** `messageType` through `identity`/`errors`: the shared fields of the event data. */
  readonly fields: MessageFields;
}

export function messageParts(message: JsonRecord, business: Business): MessageParts {
  const content = contentOf(message);
  const context = field(message, 'context');
  const timestamp = toUtcIso(field(message, 'timestamp'));
  const fields: MessageFields = {
    business,
    messageType: str(field(message, 'type')) || String(content.type),
    timestamp,
    content,
    forwarded: field(context, 'forwarded') === true || field(message, 'forwarded') === true,
    frequentlyForwarded:
      field(context, 'frequently_forwarded') === true ||
      field(message, 'frequently_forwarded') === true,
  };
  const replyContext = contextOf(context);
  if (replyContext) fields.context = replyContext;
  const referral = referralOf(field(message, 'referral'));
  if (referral) fields.referral = referral;
  const identity = identityOf(field(message, 'identity'));
  if (identity) fields.identity = identity;
  if (Array.isArray(field(message, 'errors'))) fields.errors = errorsOf(field(message, 'errors'));
  return {
    messageId: id(field(message, 'id')),
    from: id(field(message, 'from')),
    timestamp,
    fields,
  };
}

/**
 * The contact a message comes from: the `contacts[]` entry with its wa_id (or business-scoped
 * user id), the only entry when there is one, else what the message itself says.
 */
export function contactFor(
  contacts: readonly unknown[],
  waId: string | null,
  userId: string | null,
  parentUserId: string | null = null,
): Contact {
  const entries = contacts.filter(isRecord);
  const only = entries.length === 1 ? entries[0] : undefined;
  const onlyWaId = id(field(only, 'wa_id'));
  const match =
    (waId !== null ? entries.find((c) => id(field(c, 'wa_id')) === waId) : undefined) ??
    (userId !== null ? entries.find((c) => id(field(c, 'user_id')) === userId) : undefined) ??
    // A lone entry is the sender unless its wa_id says otherwise.
    (waId === null || onlyWaId === null ? only : undefined);
  return {
    waId: id(field(match, 'wa_id')) ?? waId,
    userId: id(field(match, 'user_id')) ?? userId,
    parentUserId: id(field(match, 'parent_user_id')) ?? parentUserId,
    profileName: str(path(match, 'profile', 'name')),
    username: str(path(match, 'profile', 'username')),
  };
}

const statuses: Readonly<Record<string, MessageStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'played',
  failed: 'failed',
  deleted: 'deleted',
  delivery_failed: 'failed',
};

/** The canonical status of a provider status string, or null when Switchboard does not know it. */
export function canonicalStatus(value: string | null): MessageStatus | null {
  if (value === null) return null;
  const key = value.toLowerCase();
  return Object.hasOwn(statuses, key) ? (statuses[key] ?? null) : null;
}

/**
 * A provider status string in canonical form: a status Switchboard knows, `unknown` for any other
 * word (the word itself stays in `providerStatus`), null when there is none.
 */
export function statusOrUnknown(value: string | null): MessageStatus | null {
  if (value === null || value === '') return null;
  return canonicalStatus(value) ?? 'unknown';
}

/**
 * The data of a status object (Cloud API or On-Premises). A status word Switchboard does not know
 * is `unknown`; a missing one leaves `status` null, which fails the schema (the item is
 * dead-lettered on its own).
 */
export function statusData(
  value: JsonRecord,
  business: Business,
): {
  data: DraftData<'whatsapp.message.status_updated'>;
  messageId: string | null;
  status: MessageStatus | null;
} {
  const providerStatus = str(field(value, 'status'));
  const status = statusOrUnknown(providerStatus);
  const conversation = record(field(value, 'conversation'));
  const pricing = record(field(value, 'pricing'));
  const messageId = id(field(value, 'id'));
  const data: DraftData<'whatsapp.message.status_updated'> = {
    messageId,
    status,
    providerStatus,
    recipientId: id(field(value, 'recipient_id')),
    business,
    timestamp: toUtcIso(field(value, 'timestamp')),
    conversation: conversation
      ? {
          id: id(field(conversation, 'id')),
          expiresAt: toUtcIso(field(conversation, 'expiration_timestamp')),
          originType: str(path(conversation, 'origin', 'type')),
        }
      : null,
    pricing: pricing
      ? {
          billable: bool(field(pricing, 'billable')),
          pricingModel: str(field(pricing, 'pricing_model')),
          type: str(field(pricing, 'type')),
          category: str(field(pricing, 'category')),
        }
      : null,
    errors: errorsOf(field(value, 'errors')),
    callbackData: str(field(value, 'biz_opaque_callback_data')),
  };
  const recipientUserId = id(field(value, 'recipient_user_id'));
  if (recipientUserId !== null) data.recipientUserId = recipientUserId;
  return { data, messageId, status };
}
