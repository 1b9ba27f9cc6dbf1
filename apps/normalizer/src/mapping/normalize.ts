import type { RawInboundEnvelope } from '@switchboard/contracts';
import { rawBodyBytes } from '@switchboard/contracts';
// The light entry point: this module also runs in the bulk lane's worker thread.
import { errorMessage } from '@switchboard/service-kit/error-message';

import { mapConnectly } from './connectly.mapper';
import { mapCubeConnect } from './cubeconnect.mapper';
import { parseJsonExact } from './json';
import { MappingContext, type NormalizeResult, PayloadRejected } from './mapping-context';
import { mapMeta } from './meta.mapper';
import { mapOnPrem } from './onprem.mapper';
import { mapStandard } from './standard.mapper';

type Mapper = (body: unknown, ctx: MappingContext) => void;

const mappers: Readonly<Record<string, Mapper>> = {
  meta: mapMeta,
  onprem: mapOnPrem,
  connectly: mapConnectly,
  cubeconnect: mapCubeConnect,
  standard: mapStandard,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns one raw webhook into canonical events, each validated against its schema, or says why it
 * cannot: never throws. Invalid UTF-8 or JSON is `payload_malformed_json`; a body that is not a
 * shape the provider sends is `payload_unsupported`; a structural problem of the body as a whole
 * is `payload_schema_violation` with the issues; a defect in a mapper is `processing_failed`. One
 * item (an update, a change) that cannot become an event fails alone: it is in `failures`, and the
 * other items' events are still given.
 */
export function normalize(envelope: RawInboundEnvelope): NormalizeResult {
  try {
    const mapper = Object.hasOwn(mappers, envelope.provider)
      ? mappers[envelope.provider]
      : undefined;
    if (mapper === undefined) {
      return failure('payload_unsupported', `No mapper for provider ${String(envelope.provider)}`);
    }
    const bytes = rawBodyBytes(envelope);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return failure('payload_malformed_json', 'The body is not valid UTF-8');
    }
    let body: unknown;
    try {
      body = parseJsonExact(text);
    } catch (err) {
      return failure('payload_malformed_json', `The body is not JSON: ${errorMessage(err)}`);
    }
    const ctx = new MappingContext(envelope, body);
    mapper(body, ctx);
    return ctx.result();
  } catch (err) {
    if (err instanceof PayloadRejected) {
      return { ok: false, reason: err.reason, message: err.message, issues: err.issues };
    }
    return failure('processing_failed', `Mapping failed: ${errorMessage(err)}`);
  }
}

function failure(reason: PayloadRejected['reason'], message: string): NormalizeResult {
  return { ok: false, reason, message, issues: [] };
}
