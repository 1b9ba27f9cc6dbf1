import { fixtureJson } from '@switchboard/fixtures';

import {
  type ExpectedEvent,
  envelopeOf,
  eventsOf,
  fixturePaths,
  mapFixture,
} from '../../test/mapping';
import { mapCubeConnect } from './cubeconnect.mapper';
import { normalize } from './normalize';

function session(event: string, sessionId: string, time: string): ExpectedEvent {
  return {
    type: `platform.flow_session.${event}`,
    subject: sessionId,
    time,
    data: {
      event: `flow.session_${event}`,
      sessionId,
      flowId: '7',
      flowName: 'Order tracking bot',
      contactId: null,
      contactPhone: '966550000000',
      payload: fixtureJson(`cubeconnect/flow-session-${event}.json`),
    },
  };
}

function campaign(event: string, time: string): ExpectedEvent {
  return {
    type: `platform.campaign.${event}`,
    subject: '42',
    time,
    data: {
      event: `campaign.${event}`,
      campaignId: '42',
      campaignName: 'Ramadan Offers',
      payload: fixtureJson(`cubeconnect/campaign-${event}.json`),
    },
  };
}

const cases: [string, ExpectedEvent[]][] = [
  [
    'cubeconnect/message-status-updated.json',
    [
      {
        type: 'whatsapp.message.status_updated',
        subject: 'src_cubeconnect_acme:966550000000',
        // 2026-03-10T14:30:00+03:00, in UTC.
        time: '2026-03-10T11:30:00Z',
        data: {
          messageId: 'wamid.HBgMOTY2NTUwMDAwMDAwFQIAERgSMEE3RkJGMjQ4RTk5MEQ0QTI3AA==',
          status: 'read',
          providerStatus: 'read',
          recipientId: '966550000000',
          timestamp: '2026-03-10T11:30:00Z',
          errors: [],
        },
      },
    ],
  ],
  [
    'cubeconnect/message-status-campaign.json',
    [
      {
        type: 'whatsapp.message.status_updated',
        topic: 'delivery_status',
        channel: 'whatsapp',
        data: {
          messageId: 'wamid.HBgMOTY2NTUwMDAwMDAwFQIAERgSNUM4RDlFMEYxQTJCM0M0RDVFAA==',
          status: 'delivered',
          campaignName: 'ramadan-offers',
          // tenant_id, campaign_id, template_name: every field as sent
          raw: fixtureJson('cubeconnect/message-status-campaign.json'),
        },
      } as ExpectedEvent,
    ],
  ],
  [
    'cubeconnect/message-status-failed.json',
    [
      {
        type: 'whatsapp.message.status_updated',
        data: {
          status: 'failed',
          errors: [
            {
              code: 131049,
              title: 'This message was not delivered to maintain healthy ecosystem engagement.',
              message: 'Ecosystem engagement limit',
              details: null,
              href: null,
            },
          ],
        },
      },
    ],
  ],
  [
    'cubeconnect/message-received.json',
    [
      {
        type: 'whatsapp.message.received',
        subject: '114477885522336:966550000000',
        time: '2026-03-10T11:31:05Z',
        data: {
          messageId: 'wamid.HBgMOTY2NTUwMDAwMDAwFQIAEhgSMkE4QkM3RDZFNUY0MzIxMEFCAA==',
          from: '966550000000',
          contact: { waId: '966550000000', profileName: 'Fahad Al-Harbi' },
          business: { phoneNumberId: '114477885522336', displayPhoneNumber: null, wabaId: null },
          content: { type: 'text', body: 'هل الطلب جاهز؟' },
        },
      },
    ],
  ],
  ['cubeconnect/campaign-created.json', [campaign('created', '2026-03-11T06:00:00Z')]],
  ['cubeconnect/campaign-started.json', [campaign('started', '2026-03-11T07:00:00Z')]],
  ['cubeconnect/campaign-completed.json', [campaign('completed', '2026-03-11T07:42:17Z')]],
  [
    'cubeconnect/template-submitted.json',
    [
      {
        type: 'whatsapp.template.status_changed',
        subject: '1122334455667788',
        data: {
          templateId: '1122334455667788',
          templateName: 'ramadan_offer',
          language: 'ar',
          event: 'SUBMITTED',
          category: 'MARKETING',
        },
      },
    ],
  ],
  [
    'cubeconnect/template-status-changed.json',
    [
      {
        type: 'whatsapp.template.status_changed',
        subject: '1122334455667788',
        time: '2026-03-09T09:20:00Z',
        data: { event: 'APPROVED', reason: null },
      },
    ],
  ],
  [
    'cubeconnect/flow-session-started.json',
    [session('started', 'fs_9b2e7c4a', '2026-03-10T12:00:00Z')],
  ],
  [
    'cubeconnect/flow-session-completed.json',
    [session('completed', 'fs_9b2e7c4a', '2026-03-10T12:04:30Z')],
  ],
  [
    'cubeconnect/flow-session-cancelled.json',
    [session('cancelled', 'fs_1d3f5a7c', '2026-03-10T12:02:00Z')],
  ],
  [
    'cubeconnect/account-quality-event.json',
    [
      {
        type: 'whatsapp.account.quality_changed',
        subject: '966501234567',
        data: {
          event: 'block',
          displayPhoneNumber: '966501234567',
          raw: fixtureJson('cubeconnect/account-quality-event.json'),
        },
      },
    ],
  ],
  [
    'cubeconnect/webhook-test.json',
    [
      {
        type: 'webhook.test',
        time: '2026-03-10T11:00:00Z',
        data: {
          message: 'This is a test webhook from CubeConnect',
          payload: fixtureJson('cubeconnect/webhook-test.json'),
        },
      },
    ],
  ],
];

describe(mapCubeConnect.name, () => {
  it('has an expectation for every CubeConnect fixture', () => {
    expect(cases.map(([path]) => path).sort()).toEqual(fixturePaths('cubeconnect'));
  });

  it.each(cases)('maps %s to exactly the expected events', (path, expected) => {
    // when
    const events = mapFixture(path);

    // then
    expect(events).toMatchObject(expected);
    for (const event of events) {
      expect(event).toMatchObject({
        source: 'switchboard/cubeconnect/src_cubeconnect_acme',
        provider: 'cubeconnect',
      });
    }
  });

  it('puts a webhook.test on the platform topic', () => {
    expect(mapFixture('cubeconnect/webhook-test.json')[0]?.topic).toBe('platform');
  });

  it('accepts the event fields inside a data object too', () => {
    // given
    const body = JSON.stringify({
      event: 'campaign.started',
      tenant_id: 1,
      timestamp: '2026-03-11T10:00:00+03:00',
      data: { id: 42, name: 'Ramadan Offers' },
    });

    // when
    const events = eventsOf(envelopeOf('cubeconnect', body));

    // then
    expect(events).toMatchObject([
      {
        type: 'platform.campaign.started',
        data: { campaignId: '42', campaignName: 'Ramadan Offers' },
      },
    ]);
    // and the envelope fields beside the data object (tenant_id) are kept with the whole body
    expect(events[0]?.data).toMatchObject({ raw: JSON.parse(body) as unknown });
  });

  it('keeps tenant_id and every other field of a message with the whole body', () => {
    // when
    const [event] = mapFixture('cubeconnect/message-received.json');

    // then
    expect(event?.data).toMatchObject({ raw: fixtureJson('cubeconnect/message-received.json') });
    expect((event?.data as { raw: { tenant_id: number } }).raw.tenant_id).toBe(1);
  });

  it('keeps an event it does not document as unrecognized, whole', () => {
    // given
    const body = { event: 'invoice.paid', tenant_id: 1, timestamp: '2026-03-11T10:00:00+03:00' };

    // when
    const events = eventsOf(envelopeOf('cubeconnect', JSON.stringify(body)));

    // then
    expect(events).toMatchObject([
      { type: 'whatsapp.change.unrecognized', data: { field: 'invoice.paid', value: body } },
    ]);
  });

  it('dead-letters a body that names no event', () => {
    // when
    const result = normalize(envelopeOf('cubeconnect', JSON.stringify({ tenant_id: 1 })));

    // then
    expect(result).toMatchObject({ ok: false, reason: 'payload_unsupported' });
  });
});
