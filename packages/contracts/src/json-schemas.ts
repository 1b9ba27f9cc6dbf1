import { z } from 'zod';

import { CloudEvent } from './cloud-event';
import { ConfigRecord, SourceRecord, SubscriptionRecord } from './config-records';
import { DeliveryAttempt, DeliveryCommand, SubscriptionHealthEvent } from './delivery';
import { eventSchemas } from './events/catalog';
import { DeadLetter, RejectedRequest } from './inbound-failures';
import { NormalizerCommand } from './normalizer-commands';
import { RawInboundEnvelope } from './raw-inbound';

/** Every schema published as a JSON Schema file, by name. */
export const namedSchemas = Object.freeze({
  RawInboundEnvelope,
  RejectedRequest,
  DeadLetter,
  ConfigRecord,
  SourceRecord,
  SubscriptionRecord,
  CloudEvent,
  DeliveryAttempt,
  DeliveryCommand,
  NormalizerCommand,
  SubscriptionHealthEvent,
  // One per canonical event type (or platform family): MessageReceivedEvent, ...
  ...eventSchemas,
});
export type NamedSchemaName = keyof typeof namedSchemas;

export const namedSchemaNames = Object.freeze(Object.keys(namedSchemas) as NamedSchemaName[]);

/** `RawInboundEnvelope` → `raw-inbound-envelope.schema.json`. */
export function jsonSchemaFileName(name: NamedSchemaName): string {
  const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return `${kebab}.schema.json`;
}

/**
 * The JSON Schema (draft 2020-12) of a named schema, describing what consumers accept
 * (`io: 'input'`): fields with defaults are optional and unknown fields are allowed, matching
 * the additive evolution rule. Switchboard's producers always write the full, defaulted form.
 */
export function toJsonSchema(name: NamedSchemaName): Record<string, unknown> {
  return z.toJSONSchema(namedSchemas[name], {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
  }) as Record<string, unknown>;
}
