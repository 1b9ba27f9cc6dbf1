import type { MessageContent } from '@switchboard/contracts';

import { type JsonRecord, field, firstId, id, isRecord, list, path, record, str } from './json';
import {
  type Draft,
  type DraftData,
  type MappingContext,
  PayloadRejected,
} from './mapping-context';
import { toUtcIso } from './time';
import {
  type Business,
  conversationSubject,
  errorOf,
  referralOf,
  statusOrUnknown,
} from './whatsapp';

/**
 * Connectly: `{timestamp, sender, recipient, topic?, ...}`. Topic `messages` carries
 * `message{text | attachments[] | referral}` or `buttonResponse{text, payload, id?}`; topic
 * `delivery_status` carries `statusUpdate{id, status, error}` (delivery_failed is failed) and
 * `metadata.campaign_name`. Connectly has no phone number id: conversations are keyed by the
 * business number as sent (`+1555…`). The customer's `channelType` (sender's on messages,
 * recipient's on statuses) is the event's `channel`; every event keeps the body as `data.raw`.
 */
export function mapConnectly(body: unknown, ctx: MappingContext): void {
  if (!isRecord(body)) {
    throw new PayloadRejected('payload_unsupported', 'A Connectly webhook is a JSON object');
  }
  const topic = str(field(body, 'topic'));
  if (isRecord(field(body, 'statusUpdate')) || topic === 'delivery_status') {
    return mapDeliveryStatus(body, ctx);
  }
  if (
    isRecord(field(body, 'message')) ||
    isRecord(field(body, 'buttonResponse')) ||
    topic === 'messages'
  ) {
    return mapMessage(body, ctx);
  }
  if (topic !== null && topic !== '') {
    ctx.emit({
      type: 'whatsapp.change.unrecognized',
      data: {
        field: topic,
        value: body,
        wabaId: null,
        reason: 'A Connectly topic Switchboard does not model',
      },
      channel: channelOf(field(body, 'sender'), field(body, 'recipient')),
      time: toUtcIso(field(body, 'timestamp')),
      subject: null,
      sourceKey: null,
      naturalKey: null,
      at: [],
    });
    return;
  }
  throw new PayloadRejected(
    'payload_unsupported',
    'A Connectly webhook carries a message, a buttonResponse or a statusUpdate; this body has none',
  );
}

function campaignNameOf(body: JsonRecord): string | null {
  return str(path(body, 'metadata', 'campaign_name'));
}

/** The channel a party is on (`channelType`), else the other party's; null when neither says. */
function channelOf(customer: unknown, business: unknown): string | null {
  return str(field(customer, 'channelType')) || str(field(business, 'channelType')) || null;
}

function businessOf(party: unknown): Business {
  return { phoneNumberId: null, displayPhoneNumber: id(field(party, 'id')), wabaId: null };
}

function attachmentContent(attachment: unknown, caption: string | null): Draft<MessageContent> {
  const type = str(field(attachment, 'type'));
  const media = {
    mediaId: id(field(attachment, 'id')),
    mimeType: str(field(attachment, 'mimeType')) ?? str(field(attachment, 'mime_type')),
    sha256: null,
    caption,
    url: str(field(attachment, 'url')),
  };
  switch (type) {
    case 'image':
    case 'video':
      return { type, ...media };
    case 'audio':
      return { type, ...media, voice: false };
    case 'voice':
      return { type: 'audio', ...media, voice: true };
    case 'sticker':
      return { type, ...media, animated: false };
    case 'document':
    case 'file':
      return { type: 'document', ...media, filename: str(field(attachment, 'filename')) };
    default:
      return { type: 'unrecognized', providerType: type, value: attachment ?? null };
  }
}

function mapMessage(body: JsonRecord, ctx: MappingContext): void {
  const sender = field(body, 'sender');
  const recipient = field(body, 'recipient');
  const message = record(field(body, 'message'));
  const button = record(field(body, 'buttonResponse'));
  const from = id(field(sender, 'id'));
  const business = businessOf(recipient);
  const timestamp = toUtcIso(field(body, 'timestamp'));
  const messageId = firstId(message, 'id', 'messageId') ?? firstId(body, 'id', 'messageId');
  const replyTo =
    id(path(body, 'context', 'replyToId')) ?? id(path(message, 'context', 'replyToId'));
  const referral = referralOf(field(message, 'referral') ?? field(body, 'referral'));
  const text = str(field(message, 'text'));
  const attachments = list(field(message, 'attachments'));

  const contents: { messageType: string; content: Draft<MessageContent> }[] = [];
  if (button) {
    contents.push({
      messageType: 'button',
      content: {
        type: 'button',
        payload: str(field(button, 'payload')),
        text: str(field(button, 'text')),
        id: id(field(button, 'id')),
      },
    });
  } else if (attachments.length > 0) {
    attachments.forEach((attachment, i) => {
      const content = attachmentContent(attachment, i === 0 ? text : null);
      contents.push({
        messageType: str(field(attachment, 'type')) ?? String(content.type),
        content,
      });
    });
  } else if (text !== null) {
    contents.push({ messageType: 'text', content: { type: 'text', body: text } });
  } else {
    contents.push({
      messageType: 'unrecognized',
      content: { type: 'unrecognized', providerType: null, value: message ?? null },
    });
  }

  contents.forEach(({ messageType, content }, i) => {
    const data: DraftData<'whatsapp.message.received'> = {
      messageId,
      from,
      contact: {
        waId: from,
        userId: null,
        parentUserId: null,
        profileName: str(field(sender, 'name')),
        username: null,
      },
      business,
      messageType,
      timestamp,
      content,
      forwarded: false,
      frequentlyForwarded: false,
      raw: body,
    };
    if (replyTo !== null) {
      data.context = { from: null, messageId: replyTo, referredProduct: null };
    }
    if (referral) data.referral = referral;
    if (isRecord(field(body, 'metadata'))) data.campaignName = campaignNameOf(body);
    ctx.emit({
      type: 'whatsapp.message.received',
      data,
      channel: channelOf(sender, recipient),
      time: timestamp,
      subject: conversationSubject(business.displayPhoneNumber, ctx.sourceId, from),
      sourceKey: null,
      // Several attachments in one message are one event each.
      naturalKey: messageId === null ? null : contents.length > 1 ? `${messageId}#${i}` : messageId,
      at: attachments.length > 1 ? ['message', 'attachments', i] : [],
    });
  });
}

function mapDeliveryStatus(body: JsonRecord, ctx: MappingContext): void {
  const update = record(field(body, 'statusUpdate'));
  const sender = field(body, 'sender');
  const recipientId = id(path(body, 'recipient', 'id'));
  const business = businessOf(sender);
  const providerStatus = str(field(update, 'status'));
  // A status word Switchboard does not know is `unknown`, the word kept in providerStatus; a
  // missing one fails the schema and the webhook is dead-lettered.
  const status = statusOrUnknown(providerStatus);
  const channel = channelOf(field(body, 'recipient'), sender);
  if (update === null) {
    ctx.emit({
      type: 'whatsapp.change.unrecognized',
      data: {
        field: 'delivery_status',
        value: body,
        wabaId: null,
        reason: 'A delivery_status webhook without a statusUpdate object',
      },
      channel,
      time: toUtcIso(field(body, 'timestamp')),
      subject: null,
      sourceKey: null,
      naturalKey: null,
      at: ['statusUpdate'],
    });
    return;
  }
  const messageId = id(field(update, 'id'));
  const error = field(update, 'error');
  const timestamp = toUtcIso(field(body, 'timestamp'));
  ctx.emit({
    type: 'whatsapp.message.status_updated',
    data: {
      messageId,
      status,
      providerStatus,
      recipientId,
      business,
      timestamp,
      conversation: null,
      pricing: null,
      errors: error === null || error === undefined ? [] : [errorOf(error)],
      callbackData: null,
      campaignName: campaignNameOf(body),
      raw: body,
    },
    channel,
    time: timestamp,
    subject: conversationSubject(business.displayPhoneNumber, ctx.sourceId, recipientId),
    sourceKey: null,
    naturalKey:
      messageId === null ? null : `${messageId}|${status === 'unknown' ? providerStatus : status}`,
    at: ['statusUpdate'],
  });
}
