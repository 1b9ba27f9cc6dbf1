import type { Provider, RawInboundEnvelope } from '@switchboard/contracts';
import { fixtureJson, readFixture } from '@switchboard/fixtures';

import {
  envelopeOf,
  eventsOf,
  fixtureEnvelope,
  fixturePaths,
  mapFixture,
  providerOf,
  providers,
} from '../../test/mapping';
import { normalize } from './normalize';

const allFixtures = providers.flatMap(fixturePaths);

describe(normalize.name, () => {
  describe('redelivery', () => {
    it.each(allFixtures)('gives %s the same ids when delivered again', (path) => {
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
