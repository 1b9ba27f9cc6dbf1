import { z } from 'zod';

/** An event type such as `whatsapp.message.received`, or a family such as `platform.campaign.*`. */
export const EventTypeFilter = z
  .string()
  .max(128)
  .regex(
    /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$/,
    'must be an event type such as "whatsapp.message.received" or a family such as "platform.campaign.*"',
  );

/** The filter's exact type, or its family's prefix (`platform.campaign.`) with `prefix` set. */
export function eventTypeMatch(filter: string | undefined): { type?: string; prefix: boolean } {
  if (filter === undefined) return { prefix: false };
  return filter.endsWith('.*')
    ? { type: filter.slice(0, -1), prefix: true }
    : { type: filter, prefix: false };
}
