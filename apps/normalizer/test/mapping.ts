import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import {
  type CanonicalEvent,
  type Provider,
  type RawEnvelopeInput,
  type RawInboundEnvelope,
  createRawEnvelope,
} from '@switchboard/contracts';
import { fixturesDir, readFixture } from '@switchboard/fixtures';

import { normalize } from '../src/mapping';

/** Test helpers for the mappers: envelopes around fixtures, and their events. */

export const RAW_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
export const RECEIVED_AT = '2026-03-10T11:30:00.123Z';

export const providers: readonly Provider[] = [
  'meta',
  'onprem',
  'connectly',
  'cubeconnect',
  'standard',
];

/** A verified raw envelope around a body, as ingress would write it. */
export function envelopeOf(
  provider: Provider,
  body: Uint8Array | string,
  overrides: Partial<RawEnvelopeInput> = {},
): RawInboundEnvelope {
  return createRawEnvelope({
    id: RAW_ID,
    sourceId: `src_${provider}_acme`,
    provider,
    businessId: 'biz_acme',
    environment: 'production',
    receivedAt: RECEIVED_AT,
    contentType: 'application/json',
    ...overrides,
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  });
}

/** The provider of a fixture: its folder. */
export function providerOf(path: string): Provider {
  return path.split('/')[0] as Provider;
}

/** A raw envelope around a fixture's exact bytes. */
export function fixtureEnvelope(
  path: string,
  overrides: Partial<RawEnvelopeInput> = {},
): RawInboundEnvelope {
  return envelopeOf(providerOf(path), readFixture(path), overrides);
}

/**
 * The events of an envelope; fails the test, with the reason, when it or any of its items is
 * dead-lettered.
 */
export function eventsOf(envelope: RawInboundEnvelope): CanonicalEvent[] {
  const result = normalize(envelope);
  if (!result.ok) {
    throw new Error(`${result.reason}: ${result.message} ${JSON.stringify(result.issues)}`);
  }
  if (result.failures.length > 0) {
    throw new Error(`Items dead-lettered: ${JSON.stringify(result.failures)}`);
  }
  return result.events;
}

/** The events of a fixture. */
export function mapFixture(path: string, overrides: Partial<RawEnvelopeInput> = {}) {
  return eventsOf(fixtureEnvelope(path, overrides));
}

/** An event's data as a plain record, for reading fields any event type may have. */
export function dataOf(event: CanonicalEvent | undefined): Record<string, unknown> {
  return (event?.data ?? {}) as Record<string, unknown>;
}

/** Every fixture of a provider, e.g. `meta/text-message.json`. */
export function fixturePaths(provider: Provider): string[] {
  return readdirSync(join(fixturesDir, provider))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => `${provider}/${file}`);
}

/**
 * What a test expects of one event: its type and the attributes and data fields it names, compared
 * with `toMatchObject` (objects partially, arrays whole).
 */
export interface ExpectedEvent {
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly data?: Record<string, unknown>;
}
