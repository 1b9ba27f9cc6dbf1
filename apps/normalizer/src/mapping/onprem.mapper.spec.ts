import { type ExpectedEvent, envelopeOf, fixturePaths, mapFixture } from '../../test/mapping';
import { normalize } from './normalize';
import { mapOnPrem } from './onprem.mapper';

const NO_BUSINESS = { phoneNumberId: null, displayPhoneNumber: null, wabaId: null };
// On-Premises has no phone number id: conversations are keyed by the source id.
const CONVERSATION = 'src_onprem_acme:16315551234';

const cases: [string, ExpectedEvent[]][] = [
  [
    'onprem/text-message.json',
    [
      {
        type: 'whatsapp.message.received',
        subject: CONVERSATION,
        time: '2018-02-15T11:30:35Z',
        data: {
          messageId: 'ABGGFlA5FpafAgo6EhgXMVxHdkKn',
          from: '16315551234',
          contact: { waId: '16315551234', profileName: 'Kerry Fisher' },
          business: NO_BUSINESS,
          content: { type: 'text', body: 'Hello this is an answer' },
        },
      },
    ],
  ],
  [
    'onprem/voice-message.json',
    [
      {
        type: 'whatsapp.message.received',
        subject: CONVERSATION,
        data: {
          messageId: 'ABGGFlA5FpafAgo6EhgXMVxHdkKo',
          messageType: 'voice',
          content: {
            type: 'audio',
            voice: true,
            mediaId: '463eb7ec-ff4e-4d9b-b110-1879cbd411b2',
            mimeType: 'audio/ogg; codecs=opus',
            file: '/usr/local/wamedia/shared/463e/b7ec/ff4e4d9bb1101879cbd411b2',
          },
        },
      },
    ],
  ],
  [
    'onprem/unknown-message.json',
    [
      {
        type: 'whatsapp.message.received',
        data: {
          messageType: 'unknown',
          content: { type: 'unsupported' },
          errors: [
            {
              code: 501,
              title: 'Unknown message type',
              message: null,
              details: 'Message type is not currently supported',
              href: null,
            },
          ],
        },
      },
    ],
  ],
  [
    'onprem/system-new-wa-id.json',
    [
      {
        type: 'whatsapp.message.received',
        data: {
          content: {
            type: 'system',
            systemType: 'user_changed_number',
            newWaId: '16315559876',
            waId: null,
          },
        },
      },
    ],
  ],
  [
    'onprem/reply-with-mentions.json',
    [
      {
        type: 'whatsapp.message.received',
        data: {
          context: {
            from: '16315550000',
            messageId: 'gBGGFlA5FpafAglEoPgpV8fYrLC',
            referredProduct: null,
            mentions: ['16315550000'],
          },
        },
      },
    ],
  ],
  [
    'onprem/status-deleted.json',
    [
      {
        type: 'whatsapp.message.status_updated',
        subject: CONVERSATION,
        time: '2018-02-15T11:33:20Z',
        data: {
          messageId: 'gBGGFlA5FpafAglEoPgpV8fYrLA',
          status: 'deleted',
          providerStatus: 'deleted',
          recipientId: '16315551234',
          errors: [],
        },
      },
    ],
  ],
  [
    'onprem/status-failed.json',
    [
      {
        type: 'whatsapp.message.status_updated',
        data: {
          status: 'failed',
          errors: [
            {
              code: 470,
              title:
                'Message failed to send because more than 24 hours have passed since the customer last replied to this number',
              message: null,
              details: null,
              href: 'https://developers.facebook.com/docs/whatsapp/api/errors/',
            },
          ],
        },
      },
    ],
  ],
  [
    'onprem/errors.json',
    [
      {
        type: 'whatsapp.error.reported',
        subject: 'src_onprem_acme',
        // An error carries no time: the event takes the time ingress received it.
        time: '2026-03-10T11:30:00.123Z',
        data: {
          error: {
            code: 1014,
            title: 'Internal error',
            message: null,
            details: 'Upload failed on bad image (image.jpg)',
            href: 'https://developers.facebook.com/docs/whatsapp/api/errors/',
          },
          business: NO_BUSINESS,
        },
      },
    ],
  ],
];

describe(mapOnPrem.name, () => {
  it('has an expectation for every On-Premises fixture', () => {
    expect(cases.map(([path]) => path).sort()).toEqual(fixturePaths('onprem'));
  });

  it.each(cases)('maps %s to exactly the expected events', (path, expected) => {
    // when
    const events = mapFixture(path);

    // then
    expect(events).toMatchObject(expected);
    for (const event of events) {
      expect(event).toMatchObject({
        source: 'switchboard/onprem/src_onprem_acme',
        provider: 'onprem',
      });
    }
  });

  it.each<[string, unknown]>([
    ['a body with nothing On-Premises sends', { meta: { api_status: 'stable' } }],
    [
      'a Cloud API body on the On-Premises route',
      { object: 'whatsapp_business_account', entry: [] },
    ],
    ['a JSON string', 'hello'],
  ])('dead-letters %s as unsupported', (_label, body) => {
    // when
    const result = normalize(envelopeOf('onprem', JSON.stringify(body)));

    // then
    expect(result).toMatchObject({ ok: false, reason: 'payload_unsupported' });
  });
});
