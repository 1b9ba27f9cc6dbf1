import { fixtureJson } from '@switchboard/fixtures';

import {
  type ExpectedEvent,
  dataOf,
  envelopeOf,
  eventsOf,
  fixturePaths,
  mapFixture,
} from '../../test/mapping';
import { mapConnectly } from './connectly.mapper';
import { normalize } from './normalize';

const BUSINESS = { phoneNumberId: null, displayPhoneNumber: '+15550783881', wabaId: null };
const ANA = {
  waId: '+16045551234',
  userId: null,
  parentUserId: null,
  profileName: 'Ana Gómez',
  username: null,
};

function delivery(status: string, time: string): ExpectedEvent {
  return {
    type: 'whatsapp.message.status_updated',
    subject: '+15550783881:+16045551234',
    time,
    data: {
      messageId: '01FRRVK645V350357FGV2Y1B16',
      status,
      providerStatus: status,
      recipientId: '+16045551234',
      business: BUSINESS,
      errors: [],
      campaignName: 'spring-sale-2026',
    },
  };
}

const cases: [string, ExpectedEvent[]][] = [
  [
    'connectly/message-text.json',
    [
      {
        type: 'whatsapp.message.received',
        subject: '+15550783881:+16045551234',
        time: '2025-06-08T20:59:43Z',
        data: {
          messageId: null,
          from: '+16045551234',
          contact: ANA,
          business: BUSINESS,
          messageType: 'text',
          content: { type: 'text', body: 'Quiero cambiar mi pedido' },
        },
      },
    ],
  ],
  [
    'connectly/message-attachment.json',
    [
      {
        type: 'whatsapp.message.received',
        data: {
          messageType: 'image',
          content: {
            type: 'image',
            url: 'https://cdn.connectly.ai/media/01HQ7Z3K8M4N5P6Q7R8S9T0V1W.jpg',
            caption: 'Foto del paquete dañado',
            mediaId: null,
          },
        },
      },
    ],
  ],
  [
    'connectly/message-button-response.json',
    [
      {
        type: 'whatsapp.message.received',
        subject: '+15556667777:+12223334444',
        time: '2022-08-24T00:45:40Z',
        data: {
          from: '+12223334444',
          contact: { profileName: 'Tom' },
          messageType: 'button',
          content: {
            type: 'button',
            text: "Yes I'm interested",
            payload: '1',
            id: '01GB6MZR50BY04MDAQH6TVYN40',
          },
          context: { from: null, messageId: '01GB6MW2X9N0Q4R5S6T7U8V9W0', referredProduct: null },
        },
      },
    ],
  ],
  [
    'connectly/message-referral.json',
    [
      {
        type: 'whatsapp.message.received',
        data: {
          content: { type: 'text', body: 'Hola, vi su anuncio' },
          referral: {
            sourceType: 'ad',
            sourceId: '120226305854810999',
            headline: 'Rebajas de primavera',
            ctwaClid:
              'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2b',
          },
        },
      },
    ],
  ],
  [
    'connectly/sms-message-with-extras.json',
    [
      {
        type: 'whatsapp.message.received',
        subject: '+15550783881:+16045551234',
        channel: 'sms',
        data: {
          from: '+16045551234',
          contact: ANA,
          content: { type: 'text', body: '¿Sigue en pie la oferta?' },
          campaignName: 'spring-sale-2026',
          raw: fixtureJson('connectly/sms-message-with-extras.json'),
        },
      } as ExpectedEvent,
    ],
  ],
  [
    'connectly/delivery-status-sms-read.json',
    [
      {
        type: 'whatsapp.message.status_updated',
        subject: '+15550783881:+16045551234',
        channel: 'sms',
        data: {
          messageId: '01FRRVP7W3X4Y5Z6A7B8C9D0E1',
          status: 'read',
          recipientId: '+16045551234',
          campaignName: 'spring-sale-2026',
          raw: fixtureJson('connectly/delivery-status-sms-read.json'),
        },
      } as ExpectedEvent,
    ],
  ],
  [
    'connectly/delivery-status-unknown-status.json',
    [
      {
        type: 'whatsapp.message.status_updated',
        topic: 'delivery_status',
        channel: 'whatsapp',
        data: {
          messageId: '01FRRVQ8X4Y5Z6A7B8C9D0E1F2',
          status: 'unknown',
          providerStatus: 'pending',
          campaignName: 'spring-sale-2026',
        },
      } as ExpectedEvent,
    ],
  ],
  ['connectly/delivery-status-sent.json', [delivery('sent', '2025-06-08T21:10:00Z')]],
  ['connectly/delivery-status-delivered.json', [delivery('delivered', '2025-06-08T21:10:05Z')]],
  ['connectly/delivery-status-read.json', [delivery('read', '2025-06-08T21:11:00Z')]],
  [
    'connectly/delivery-status-failed.json',
    [
      {
        type: 'whatsapp.message.status_updated',
        subject: '+15550783881:+16045559999',
        data: {
          messageId: '01FRRVM2Q8T1V0W9X8Y7Z6A5B4',
          status: 'failed',
          providerStatus: 'delivery_failed',
          campaignName: 'spring-sale-2026',
          errors: [
            {
              code: 131026,
              title: null,
              message: 'Message undeliverable',
              details: 'Receiver is incapable of receiving this message',
              href: null,
              type: 'DELIVERY_ERROR',
              userTitle: 'Message not delivered',
              userMessage: 'The recipient may not be on WhatsApp.',
              traceId: 'cnt-trace-7f3a9c2e1b',
            },
          ],
        },
      },
    ],
  ],
];

describe(mapConnectly.name, () => {
  it('has an expectation for every Connectly fixture', () => {
    expect(cases.map(([path]) => path).sort()).toEqual(fixturePaths('connectly'));
  });

  it.each(cases)('maps %s to exactly the expected events', (path, expected) => {
    // when
    const events = mapFixture(path);

    // then
    expect(events).toMatchObject(expected);
    for (const event of events) {
      expect(event).toMatchObject({
        source: 'switchboard/connectly/src_connectly_acme',
        provider: 'connectly',
      });
    }
  });

  it('gives a message without a Connectly id a content-derived id, stable across deliveries', () => {
    // given the same text delivered twice, and a different text
    const first = mapFixture('connectly/message-text.json');
    const again = mapFixture('connectly/message-text.json', {
      id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      receivedAt: '2026-03-11T00:00:00Z',
    });
    const other = eventsOf(
      envelopeOf(
        'connectly',
        JSON.stringify({
          timestamp: '1749416383',
          sender: { id: '+16045551234', channelType: 'whatsapp' },
          recipient: { id: '+15550783881', channelType: 'whatsapp' },
          topic: 'messages',
          message: { text: 'Otra cosa' },
        }),
      ),
    );

    // then
    expect(again[0]?.id).toBe(first[0]?.id);
    expect(other[0]?.id).not.toBe(first[0]?.id);
  });

  it('maps each of several attachments to its own event', () => {
    // given
    const body = JSON.stringify({
      timestamp: '1749416700',
      sender: { id: '+16045551234', channelType: 'whatsapp' },
      recipient: { id: '+15550783881', channelType: 'whatsapp' },
      topic: 'messages',
      message: {
        attachments: [
          { type: 'image', url: 'https://cdn.example/1.jpg' },
          { type: 'file', url: 'https://cdn.example/2.pdf' },
          { type: 'hologram', url: 'https://cdn.example/3.holo' },
        ],
      },
    });

    // when
    const events = eventsOf(envelopeOf('connectly', body));

    // then
    expect(events.map((e) => (dataOf(e).content as { type: string }).type)).toEqual([
      'image',
      'document',
      'unrecognized',
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
  });

  it('keeps a delivery status it does not know on delivery_status, with the word as sent', () => {
    // given
    const body = JSON.stringify({
      timestamp: '1749417000',
      topic: 'delivery_status',
      statusUpdate: { id: '01FRRVK645V350357FGV2Y1B16', status: 'queued', error: null },
    });

    // when
    const events = eventsOf(envelopeOf('connectly', body));

    // then
    expect(events).toMatchObject([
      {
        type: 'whatsapp.message.status_updated',
        topic: 'delivery_status',
        data: { status: 'unknown', providerStatus: 'queued' },
      },
    ]);
  });

  it('keeps every field Connectly sent, those without a canonical place included', () => {
    // when
    const [message] = mapFixture('connectly/sms-message-with-extras.json');
    const [status] = mapFixture('connectly/delivery-status-sms-read.json');

    // then recipient.name, metadata and the campaign data are all in the event
    expect(dataOf(message).raw).toMatchObject({
      recipient: { name: 'Acme Support' },
      metadata: { campaign_id: 'cmp_01HQ8Z2Y3X4W5V6U7T8S9R0Q1P', campaign_step: 3 },
    });
    expect(dataOf(status).raw).toMatchObject({
      recipient: { name: 'Ana Gómez', channelType: 'sms' },
      metadata: { campaign_version: 2 },
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['the sender', { sender: { id: '+1', channelType: 'SMS' }, recipient: { id: '+2' } }, 'sms'],
    [
      'the business side',
      { sender: { id: '+1' }, recipient: { id: '+2', channelType: 'rcs' } },
      'rcs',
    ],
    ['no side', { sender: { id: '+1' }, recipient: { id: '+2' } }, 'whatsapp'],
  ])('takes the channel of a message from %s', (_label, parties, channel) => {
    // given
    const body = JSON.stringify({
      timestamp: '1749418200',
      topic: 'messages',
      message: { text: 'hi' },
      ...parties,
    });

    // when
    const [event] = eventsOf(envelopeOf('connectly', body));

    // then
    expect(event?.channel).toBe(channel);
  });

  it('dead-letters a body that is neither a message nor a status', () => {
    // when
    const result = normalize(envelopeOf('connectly', JSON.stringify({ timestamp: '1' })));

    // then
    expect(result).toMatchObject({ ok: false, reason: 'payload_unsupported' });
  });
});
