import { field, isRecord } from './json';
import { type MappingContext, PayloadRejected } from './mapping-context';
import { emitUpdates } from './whatsapp-events';
import { noBusiness } from './whatsapp';

/**
 * The WhatsApp Business On-Premises API (Cbot, 360dialog v1): no entry/changes wrapper, the body
 * is `{contacts, messages}`, `{statuses}` or `{errors}`. Message ids have no `wamid.` prefix, voice
 * notes are `voice`, unknown messages `unknown`, and statuses include `deleted`. There is no
 * phone number id, so conversations are keyed by the source id.
 */
export function mapOnPrem(body: unknown, ctx: MappingContext): void {
  if (!isRecord(body)) {
    throw new PayloadRejected('payload_unsupported', 'An On-Premises webhook is a JSON object');
  }
  const carriesUpdates = ['messages', 'statuses', 'errors'].some((key) =>
    Array.isArray(field(body, key)),
  );
  if (!carriesUpdates) {
    throw new PayloadRejected(
      'payload_unsupported',
      'An On-Premises webhook carries messages, statuses or errors; this body has none',
    );
  }
  const change = { field: 'messages', value: body, wabaId: null, entryTime: null, at: [] };
  emitUpdates(ctx, change, body, noBusiness);
}
