import { type CloudEvent, eventKeyOf } from '@switchboard/contracts';

const messageTypes = new Set([
  'whatsapp.message.received',
  'whatsapp.message.echoed',
  'whatsapp.message.status_updated',
]);

/**
 * The provider message id an event concerns (a wamid on Cloud API), for the audit log's message
 * index; null for events about no single message.
 */
export function messageIdOf(event: Pick<CloudEvent, 'type' | 'data'>): string | null {
  if (!messageTypes.has(event.type)) return null;
  const messageId = event.data.messageId;
  return typeof messageId === 'string' && messageId.length > 0 ? messageId : null;
}

/** The Kafka key of an event, as the public topics' catalog entry derives it. */
export const partitionKeyOf = eventKeyOf;
