import {
  ContractIssue,
  DeadLetterReasonCode,
  type Provider,
  validateCanonicalEvent,
} from '@switchboard/contracts';
import { fixtureJson } from '@switchboard/fixtures';
import fc from 'fast-check';

import { RECEIVED_AT, envelopeOf, fixturePaths, providerOf, providers } from '../../test/mapping';
import { type NormalizeResult, normalize } from './index';

/**
 * Properties every input must keep, whatever the bytes: normalize never throws, and answers
 * either events that each validate against their schema (with unique, redelivery-stable ids), or
 * a dead-letter reason with issues in the contract's form.
 */
function expectWellFormed(result: NormalizeResult): void {
  if (result.ok) {
    for (const event of result.events) {
      const validation = validateCanonicalEvent(event);
      if (!validation.ok)
        throw new Error(`${validation.message} ${JSON.stringify(validation.issues)}`);
    }
    expect(new Set(result.events.map((e) => e.id)).size).toBe(result.events.length);
    for (const failure of result.failures) {
      expect(failure.reason).toBe('payload_schema_violation');
      expect(failure.pointer).toMatch(/^(\/[^/]*)*$/);
      expect(failure.issues.length).toBeGreaterThan(0);
      for (const issue of failure.issues) expect(ContractIssue.safeParse(issue).success).toBe(true);
    }
    expect(new Set(result.failures.map((f) => f.pointer)).size).toBe(result.failures.length);
  } else {
    expect(DeadLetterReasonCode.options).toContain(result.reason);
    expect(result.reason).not.toBe('processing_failed');
    expect(typeof result.message).toBe('string');
    for (const issue of result.issues) expect(ContractIssue.safeParse(issue).success).toBe(true);
  }
}

/**
 * Normalizes a body three times and checks every answer: the same raw record consumed again gives
 * the same ids; the same bytes delivered again by the provider (another raw id) give the same ids
 * to every event with a provider time, those without one being told apart by raw id.
 */
function checkBody(provider: Provider, body: Uint8Array | string): void {
  const first = normalize(envelopeOf(provider, body));
  expectWellFormed(first);
  const consumedAgain = normalize(envelopeOf(provider, body));
  expect(consumedAgain).toEqual(first);
  const redelivered = normalize(
    envelopeOf(provider, body, {
      id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      receivedAt: '2027-01-01T00:00:00Z',
    }),
  );
  expectWellFormed(redelivered);
  expect(redelivered.ok).toBe(first.ok);
  if (first.ok && redelivered.ok) {
    expect(redelivered.events.length).toBe(first.events.length);
    first.events.forEach((event, i) => {
      const again = redelivered.events[i]!;
      if (event.time === RECEIVED_AT) expect(again.id).not.toBe(event.id);
      else expect(again.id).toBe(event.id);
    });
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every path to a value inside a JSON document (the root excluded). */
function pathsOf(value: Json, at: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const children: [string | number, Json][] = Array.isArray(value)
    ? value.map((child, i) => [i, child])
    : Object.entries(value);
  return children.flatMap(([key, child]) => [[...at, key], ...pathsOf(child, [...at, key])]);
}

/** Removes or replaces the value at a path, in place. */
function mutate(document: Json, path: Path, replacement: Json | undefined): void {
  let parent: Json = document;
  for (const key of path.slice(0, -1)) {
    parent = (parent as Record<string | number, Json>)[key] as Json;
  }
  const last = path[path.length - 1];
  if (last === undefined || parent === null || typeof parent !== 'object') return;
  if (replacement !== undefined) {
    (parent as Record<string | number, Json>)[last] = replacement;
  } else if (Array.isArray(parent) && typeof last === 'number') {
    parent.splice(last, 1);
  } else {
    delete (parent as Record<string, Json>)[String(last)];
  }
}

const mutation = fc.record({
  /** Which path, as a fraction of the document's paths (they change as it is mutated). */
  at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  /** Undefined drops the value; anything else replaces it. */
  replacement: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
});

const allFixtures = providers.flatMap(fixturePaths);

describe(`${normalize.name} (properties)`, () => {
  it.each(providers)('never throws on any JSON value sent as %s', (provider) => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        checkBody(provider, JSON.stringify(value) ?? 'null');
      }),
      { numRuns: 300 },
    );
  });

  it.each(providers)('never throws on any bytes sent as %s', (provider) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        checkBody(provider, bytes);
      }),
      { numRuns: 300 },
    );
  });

  it.each(providers)('never throws on any JSON object shaped like a %s webhook', (provider) => {
    // given objects that carry the keys each provider's mapper looks at
    const keys = [
      'object',
      'entry',
      'changes',
      'field',
      'value',
      'messages',
      'statuses',
      'errors',
      'contacts',
      'type',
      'event',
      'timestamp',
      'data',
      'statusUpdate',
      'message',
      'sender',
    ];
    const shaped = fc.letrec<{ node: Json }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...keys), tie('node'), { maxKeys: 5 }),
      ),
    })).node;

    fc.assert(
      fc.property(shaped, (value) => {
        checkBody(provider, JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on any fixture with fields dropped or replaced', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...allFixtures),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (path, mutations) => {
          // given
          const document = fixtureJson<Json>(path);
          for (const { at, replacement } of mutations) {
            const paths = pathsOf(document);
            const target = paths[Math.floor(at * paths.length)];
            if (target !== undefined) mutate(document, target, replacement as Json | undefined);
          }

          // then
          checkBody(providerOf(path), JSON.stringify(document));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each(allFixtures)('never throws on %s sent as any provider', (path) => {
    for (const provider of providers) {
      checkBody(provider, JSON.stringify(fixtureJson(path)));
    }
  });
});
