import fc from 'fast-check';

import { CloudEvent } from './cloud-event';
import { parsePlainCloudEvent, plainCloudEventCheckApplies } from './cloud-event-decode';
import { decode } from './codec';
import { eventSchemas } from './events';
import { examples } from './examples';
import { PublicTopics } from './topics';

/** The same value, down to the order of keys at every depth. */
function expectSame(actual: unknown, expected: unknown): void {
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  expect(actual).toEqual(expected);
  // toStrictEqual would compare an own `constructor` key by identity: the prototypes instead.
  expect(Object.getPrototypeOf(actual)).toBe(Object.getPrototypeOf(expected));
  expect(Reflect.ownKeys(actual as object)).toEqual(Reflect.ownKeys(expected as object));
  const data = (value: unknown) => (value as { data: object }).data;
  expect(Reflect.ownKeys(data(actual))).toEqual(Reflect.ownKeys(data(expected)));
}

/** A JSON object written from key/value-text pairs, in that order (keys may repeat). */
function objectText(pairs: readonly (readonly [string, string])[]): string {
  return `{${pairs.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
}

const json = (value: unknown): string => JSON.stringify(value);

/** Mostly a valid value, sometimes an edge case or a wrong type (`undefined`: left out). */
function attribute(
  valid: fc.Arbitrary<string | undefined>,
  invalid: fc.Arbitrary<string | undefined>,
): fc.Arbitrary<string | undefined> {
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: invalid });
}

const text = (arbitrary: fc.Arbitrary<unknown>) => arbitrary.map(json);

/** Values (as JSON text) for each attribute. */
const candidates: Record<string, fc.Arbitrary<string | undefined>> = {
  specversion: attribute(
    fc.constant(json('1.0')),
    fc.constantFrom(json('1.1'), json(1), undefined),
  ),
  id: attribute(
    fc.oneof(
      text(fc.string({ minLength: 1, maxLength: 256 })),
      fc.constantFrom(json('x'), json('a'.repeat(256))),
    ),
    fc.constantFrom(json(''), json('a'.repeat(257)), 'null', undefined),
  ),
  source: attribute(
    text(fc.string({ minLength: 1, maxLength: 40 })),
    fc.constantFrom(json(''), json(7), undefined),
  ),
  type: attribute(
    fc.constantFrom(json('whatsapp.message.received'), json('x')),
    fc.constantFrom(json(''), 'null', undefined),
  ),
  time: attribute(
    fc.oneof(
      fc.constantFrom(json('2025-06-08T20:59:43Z'), json('2025-06-08T20:59:43.123+05:30')),
      text(
        fc
          .date({ noInvalidDate: true, min: new Date(0), max: new Date(253402300799999) })
          .map((d) => d.toISOString()),
      ),
    ),
    fc.oneof(
      fc.constantFrom(
        json('2025-06-08T20:59:43'),
        json('2025-02-30T00:00:00Z'),
        json('2025-06-08'),
        json(1749416383),
        undefined,
      ),
      text(fc.string()),
    ),
  ),
  subject: attribute(
    fc.constantFrom(json('106540352242922:16505551234'), json('s'), undefined),
    fc.constantFrom(json(''), 'null', json(5)),
  ),
  datacontenttype: attribute(
    fc.constant(json('application/json')),
    fc.constantFrom(json('text/plain'), undefined),
  ),
  businessid: attribute(
    fc.constantFrom(json('biz_acme'), json('b'.repeat(256))),
    fc.constantFrom(json(''), json('b'.repeat(257)), undefined),
  ),
  topic: attribute(
    fc.constantFrom(...['messages', 'delivery_status', 'platform'].map(json)),
    fc.constantFrom(json('nope'), 'null', undefined),
  ),
  environment: attribute(
    fc.constantFrom(json('production'), json('sandbox')),
    fc.constantFrom(json('staging'), undefined),
  ),
  provider: attribute(
    fc.constantFrom(...['meta', 'onprem', 'standard', 'switchboard'].map(json)),
    fc.constantFrom(json('x'), json(['meta']), undefined),
  ),
  rawid: attribute(
    fc.constantFrom(json('0f8fad5b-d9cb-469f-a165-70867728950e'), undefined),
    fc.constantFrom(json(''), json(1)),
  ),
  channel: attribute(
    fc.constantFrom(json('whatsapp'), json('sms'), json('c'.repeat(64)), undefined),
    fc.constantFrom(json(''), json('c'.repeat(65)), json(2)),
  ),
  data: attribute(
    fc.oneof(
      fc.constantFrom(
        '{}',
        '{"messageId":"wamid.1","n":[1,{"a":null}]}',
        '{"__proto__":{"polluted":true},"b":1}',
        '{"2":"two","1":"one","z":0}',
      ),
      text(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 })),
    ),
    fc.constantFrom('[]', 'null', json('text'), undefined),
  ),
};

const extension = fc.tuple(
  fc.constantFrom('traceparent', 'dataschema', '__proto__', 'id', 'data', 'constructor', 'x1'),
  text(fc.jsonValue({ maxDepth: 2 })),
);

const eventText = fc
  .tuple(
    fc.record(candidates),
    fc.array(extension, { maxLength: 3 }),
    fc.constantFrom('schema order', 'shuffled', 'some'),
    fc.infiniteStream(fc.nat()),
  )
  .map(([attributes, extensions, order, random]) => {
    const present = Object.entries(attributes).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    );
    const keyed = present.map((entry) => ({ entry, key: random.next().value as number }));
    if (order !== 'schema order') keyed.sort((a, b) => a.key - b.key);
    const chosen = keyed.filter((_, i) => order !== 'some' || i % 3 !== 0);
    return objectText([...chosen.map((k) => k.entry), ...extensions]);
  });

describe(parsePlainCloudEvent.name, () => {
  it('checks exactly the attributes the CloudEvent schema has', () => {
    expect(plainCloudEventCheckApplies).toBe(true);
  });

  it.each(
    [
      ['CloudEvent', examples.CloudEvent] as const,
      ...Object.keys(eventSchemas).map(
        (name) => [name, examples[name as keyof typeof examples]] as const,
      ),
    ].map(([name, example]) => [name, JSON.parse(JSON.stringify(example)) as unknown]),
  )('gives what CloudEvent.parse gives for the %s example', (_name, example) => {
    const fast = parsePlainCloudEvent(example);
    expect(fast).toBeDefined();
    expectSame(fast, CloudEvent.parse(example));
  });

  it('keeps extensions after the attributes, in their order, and never copies __proto__', () => {
    const text = objectText([
      ['zeta', '1'],
      ...Object.entries(examples.CloudEvent).map(([k, v]) => [k, json(v)] as const),
      ['__proto__', '{"polluted":true}'],
      ['alpha', '"a"'],
    ]);
    const fast = parsePlainCloudEvent(JSON.parse(text));
    expectSame(fast, CloudEvent.parse(JSON.parse(text)));
    expect(Object.keys(fast!).slice(-2)).toEqual(['zeta', 'alpha']);
  });

  it('never accepts what CloudEvent refuses, and gives what it gives for what it accepts', () => {
    let accepted = 0;
    let fastAccepted = 0;
    fc.assert(
      fc.property(eventText, (text) => {
        const zod = CloudEvent.safeParse(JSON.parse(text));
        const fast = parsePlainCloudEvent(JSON.parse(text));
        if (zod.success) accepted += 1;
        if (fast !== undefined) {
          fastAccepted += 1;
          expect(zod.success).toBe(true);
          expectSame(fast, zod.data);
        }
        // and decode answers exactly what it answered with zod alone
        const decoded = decode(PublicTopics.messages, Buffer.from(text));
        expect(decoded.ok).toBe(zod.success);
        if (decoded.ok && zod.success) expectSame(decoded.value, zod.data);
        if (!decoded.ok && !zod.success) expect(decoded.reason).toBe('schema_violation');
      }),
      { numRuns: 4_000 },
    );
    // The generator reaches both sides, and the plain check takes most valid events.
    expect(accepted).toBeGreaterThan(400);
    expect(fastAccepted).toBeGreaterThan(accepted * 0.8);
  });
});
