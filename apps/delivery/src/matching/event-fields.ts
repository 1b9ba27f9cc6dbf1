import type { CloudEvent, SubscriptionFilterField } from '@switchboard/contracts';

/** The values of an event that subscription filters look at; a field the event lacks is absent. */
export type EventFields = Partial<Record<SubscriptionFilterField, string>>;

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The first candidate that is a non-empty string (numbers count, as their decimal text). */
function firstText(...candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.length > 0) return candidate;
    if (typeof candidate === 'number' && Number.isFinite(candidate)) return String(candidate);
  }
  return undefined;
}

/**
 * Reads the filterable fields of an event. `data` is read as unknown JSON: the per-type data
 * shapes evolve, so the common names are tried in turn (camelCase first, then the snake_case a
 * provider payload may carry) and anything of an unexpected type is ignored.
 */
export function eventFields(event: CloudEvent): EventFields {
  const data: unknown = event.data;
  const fields: EventFields = { event_type: event.type };
  const campaign = firstText(
    at(data, 'campaignName'),
    at(data, 'campaign', 'name'),
    at(data, 'campaign_name'),
    at(data, 'metadata', 'campaignName'),
    at(data, 'metadata', 'campaign_name'),
    at(data, 'payload', 'campaign_name'),
    at(data, 'payload', 'campaignName'),
  );
  if (campaign !== undefined) fields.campaign_name = campaign;
  const status = firstText(
    at(data, 'status'),
    at(data, 'status', 'status'),
    at(data, 'message', 'status'),
  );
  if (status !== undefined) fields.status = status;
  const messageType = firstText(
    at(data, 'messageType'),
    at(data, 'message', 'type'),
    at(data, 'content', 'type'),
    at(data, 'message_type'),
  );
  if (messageType !== undefined) fields.message_type = messageType;
  const phoneNumberId = firstText(
    at(data, 'business', 'phoneNumberId'),
    at(data, 'phoneNumberId'),
    at(data, 'metadata', 'phoneNumberId'),
    at(data, 'phone_number_id'),
    at(data, 'metadata', 'phone_number_id'),
  );
  if (phoneNumberId !== undefined) fields.phone_number_id = phoneNumberId;
  return fields;
}
