export { normalize } from './normalize';
export type { ItemFailure, NormalizeFailureReason, NormalizeResult } from './mapping-context';
export { messageIdOf, partitionKeyOf } from './event-keys';
export { EVENT_ID_NAMESPACE, contentKey, eventId, stableJson } from './ids';
export { toUtcIso } from './time';
