import type { Provider, RawInboundEnvelope } from '@switchboard/contracts';
import { fixtureJson, readFixture } from '@switchboard/fixtures';

import {
  RECEIVED_AT,
  envelopeOf,
  eventsOf,
  fixtureEnvelope,
  fixturePaths,
  mapFixture,
  providerOf,
  providers,
} from '../../test/mapping';
import { normalize } from './normalize';

/** Fixtures with an item that is dead-lettered (tested with their provider's mapper). */
const withItemFailures = ['meta/statuses-batch-one-malformed.json'];
const allFixtures = providers.flatMap(fixturePaths).filter((p) => !withItemFailures.includes(p));
/** Fixtures whose events have no provider time: their ids derive from raw id and position. */
const timeless = ['meta/change-level-errors.json', 'meta/unknown-field.json', 'onprem/errors.json'];
const timed = allFixtures.filter((path) => !timeless.includes(path));
const OTHER_RAW = {
  id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  receivedAt: '2026-03-12T08:00:00Z',
};

/** Every scalar in a JSON document, with the key it sits under. */
function leavesOf(value: unknown, key = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object') return [[key, value]];
  return Object.entries(value).flatMap(([k, child]) =>
    leavesOf(child, Array.isArray(value) ? key : k),
  );
}

/**
 * Envelope fields every event states in its own attributes: the Cloud API's `object` and
 * `messaging_product` (the channel), a change's `field` (the event type), an entry's `time` (the
 * event time, in UTC).
 */
const envelopeKeys = new Set(['object', 'messaging_product', 'field', 'time']);

describe(normalize.name, () => {
  describe('fidelity', () => {
    it.each(allFixtures)('keeps every value %s sent in its events', (path) => {
      // given
      const body = fixtureJson(path);

      // when
      const events = JSON.stringify(mapFixture(path));

      // then every scalar the provider sent is in an event, as sent
      const missing = leavesOf(body).filter(
        ([key, value]) =>
          !envelopeKeys.has(key) && value !== null && !events.includes(JSON.stringify(value)),
      );
      expect(missing).toEqual([]);
    });
  });

  describe('redelivery', () => {
    it('knows which fixtures have events without a provider time', () => {
      const withoutTime = allFixtures.filter((path) =>
        mapFixture(path).some((event) => event.time === RECEIVED_AT),
      );
      expect(withoutTime).toEqual(timeless);
    });

    it.each(timed)('gives %s the same ids when delivered again', (path) => {
      // given the same bytes in another raw envelope, received later through another source
      const first = mapFixture(path);
      const again = mapFixture(path, {
        id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        receivedAt: '2026-03-12T08:00:00Z',
        sourceId: 'src_second_app',
      });

      // then
      expect(first.length).toBeGreaterThan(0);
      expect(again.map((e) => e.id)).toEqual(first.map((e) => e.id));
      expect(again.map((e) => e.rawid)).toEqual(
        first.map(() => '7c9e6679-7425-40de-944b-e07fc1f90ae7'),
      );
    });

    it.each(timeless)(
      'gives %s other ids when delivered again, the same when consumed again',
      (path) => {
        // given the same bytes in another raw envelope: a second message with the same content
        const first = mapFixture(path);
        const again = mapFixture(path, OTHER_RAW);
        const consumedAgain = mapFixture(path, { receivedAt: OTHER_RAW.receivedAt });

        // then content alone does not make them one event, but the same raw record does
        expect(first.length).toBeGreaterThan(0);
        for (const [i, event] of again.entries()) expect(event.id).not.toBe(first[i]?.id);
        expect(consumedAgain.map((e) => e.id)).toEqual(first.map((e) => e.id));
      },
    );

    it('publishes the same error reported twice, without a provider time, twice', () => {
      // given Meta reporting the same change-level error in two webhooks, days apart
      const first = mapFixture('meta/change-level-errors.json');
      const second = mapFixture('meta/change-level-errors.json', OTHER_RAW);

      // then they are two events, not one deduplicated away for ever
      expect(first).toHaveLength(1);
      expect(second).toHaveLength(1);
      expect(second[0]!.id).not.toBe(first[0]!.id);
    });

    it('keeps two identical updates without a time in one webhook as two events', () => {
      // given two identical change-level errors in one Cloud API webhook
      const error = { code: 131000, title: 'Something went wrong' };
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'messages', value: { errors: [error, error] } }] }],
      });

      // when
      const events = eventsOf(envelopeOf('meta', body));

      // then
      expect(events).toHaveLength(2);
      expect(events[0]!.id).not.toBe(events[1]!.id);
    });

    it.each(allFixtures)('gives %s the same ids when the JSON is re-serialised', (path) => {
      // given the same content with other whitespace and key order
      const reordered = JSON.stringify(fixtureJson(path), (_key, value: unknown) =>
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).reverse())
          : value,
      );

      // when
      const first = mapFixture(path);
      const again = eventsOf(envelopeOf(providerOf(path), reordered));

      // then
      expect(again.map((e) => e.id)).toEqual(first.map((e) => e.id));
    });

    it('gives other businesses and environments other ids for the same payload', () => {
      // given
      const path = 'meta/text-message.json';

      // when
      const acme = mapFixture(path)[0]?.id;
      const globex = mapFixture(path, { businessId: 'biz_globex' })[0]?.id;
      const sandbox = mapFixture(path, { environment: 'sandbox' })[0]?.id;

      // then
      expect(new Set([acme, globex, sandbox]).size).toBe(3);
    });

    it('gives ids that are UUIDs (version 5)', () => {
      for (const event of mapFixture('meta/multi-entry-batch.json')) {
        expect(event.id).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
      }
    });
  });

  describe('dead letters', () => {
    it.each(providers)('refuses a %s body that is not valid UTF-8', (provider) => {
      // given bytes of JSON with an invalid UTF-8 sequence inside a string
      const body = Buffer.concat([
        Buffer.from('{"text":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]);

      // when
      const result = normalize(envelopeOf(provider, body));

      // then
      expect(result).toEqual({
        ok: false,
        reason: 'payload_malformed_json',
        message: 'The body is not valid UTF-8',
        issues: [],
      });
    });

    it.each<[Provider, string]>([
      ['meta', '{"object":"whatsapp_business_account","entry":[}'],
      ['onprem', ''],
      ['connectly', 'sender=+1604&text=hi'],
      ['cubeconnect', '{"event":"webhook.test",}'],
      ['standard', 'null null'],
    ])('refuses a %s body that is not JSON: %j', (provider, body) => {
      // when
      const result = normalize(envelopeOf(provider, body));

      // then
      expect(result).toMatchObject({ ok: false, reason: 'payload_malformed_json', issues: [] });
      if (!result.ok) expect(result.message).toMatch(/^The body is not JSON: /);
    });

    it('refuses a provider it has no mapper for', () => {
      // given
      const envelope = { ...fixtureEnvelope('meta/text-message.json'), provider: 'twilio' };

      // when
      const result = normalize(envelope as unknown as RawInboundEnvelope);

      // then
      expect(result).toMatchObject({ ok: false, reason: 'payload_unsupported' });
    });

    it('turns a failure inside the mapping into processing_failed instead of throwing', () => {
      // given an envelope whose body cannot even be read
      const envelope = fixtureEnvelope('meta/text-message.json');
      Object.defineProperty(envelope, 'body', {
        get() {
          throw new Error('boom');
        },
      });

      // when
      const result = normalize(envelope);

      // then
      expect(result).toEqual({
        ok: false,
        reason: 'processing_failed',
        message: 'Mapping failed: boom',
        issues: [],
      });
    });

    it.each(allFixtures.filter((path) => providerOf(path) !== 'meta'))(
      'does not take %s for a Cloud API webhook',
      (path) => {
        // when
        const result = normalize(envelopeOf('meta', readFixture(path)));

        // then
        expect(result.ok).toBe(false);
      },
    );
  });
});
