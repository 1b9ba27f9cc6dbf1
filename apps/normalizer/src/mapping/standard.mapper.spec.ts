import { fixtureJson } from '@switchboard/fixtures';

import {
  type ExpectedEvent,
  envelopeOf,
  eventsOf,
  fixturePaths,
  mapFixture,
} from '../../test/mapping';
import { normalize } from './normalize';
import { mapStandard } from './standard.mapper';

function dataOf(path: string): unknown {
  return fixtureJson<{ data: unknown }>(path).data;
}

const cases: [string, ExpectedEvent[]][] = [
  [
    'standard/campaign-started.json',
    [
      {
        type: 'platform.campaign.started',
        subject: 'cmp_7f3a91',
        time: '2026-11-20T09:15:00Z',
        data: {
          event: 'campaign.started',
          campaignId: 'cmp_7f3a91',
          campaignName: 'test-campaign-black-friday',
          payload: dataOf('standard/campaign-started.json'),
        },
      },
    ],
  ],
  [
    'standard/flow-session-completed.json',
    [
      {
        type: 'platform.flow_session.completed',
        subject: 'sess_51c2d8',
        data: {
          event: 'flow_session.completed',
          sessionId: 'sess_51c2d8',
          flowId: 'flw_0a7e',
          flowName: 'Lead qualification',
          contactId: 'ct_88d1f0',
          contactPhone: '919812345678',
        },
      },
    ],
  ],
  [
    'standard/contact-created.json',
    [
      {
        type: 'platform.contact.created',
        subject: 'ct_88d1f0',
        data: {
          contactId: 'ct_88d1f0',
          contactPhone: '919812345678',
          contactName: 'Priya Sharma',
          payload: dataOf('standard/contact-created.json'),
        },
      },
    ],
  ],
  [
    'standard/contact-updated-event-shape.json',
    [
      {
        type: 'platform.contact.updated',
        subject: 'ct_88d1f0',
        // 15:20 at +05:30, in UTC.
        time: '2026-11-20T09:50:00Z',
        data: {
          event: 'contact.updated',
          contactId: 'ct_88d1f0',
          contactName: 'Priya S.',
          payload: fixtureJson('standard/contact-updated-event-shape.json'),
        },
      },
    ],
  ],
  [
    'standard/conversation-closed.json',
    [
      {
        type: 'platform.conversation.closed',
        subject: 'cnv_3f9a12',
        data: { conversationId: 'cnv_3f9a12', contactId: 'ct_88d1f0', status: 'closed' },
      },
    ],
  ],
  [
    'standard/conversation-assigned.json',
    [
      {
        type: 'platform.conversation.assigned',
        subject: 'cnv_3f9a12',
        data: {
          event: 'assignment.updated',
          conversationId: 'cnv_3f9a12',
          contactPhone: '919812345678',
          assigneeId: 'agent_17',
          assigneeName: 'Rahul Verma',
        },
      },
    ],
  ],
];

describe(mapStandard.name, () => {
  it('has an expectation for every Standard Webhooks fixture', () => {
    expect(cases.map(([path]) => path).sort()).toEqual(fixturePaths('standard'));
  });

  it.each(cases)('maps %s to exactly the expected events', (path, expected) => {
    // when
    const events = mapFixture(path);

    // then
    expect(events).toMatchObject(expected);
    for (const event of events) {
      expect(event).toMatchObject({
        source: 'switchboard/standard/src_standard_acme',
        provider: 'standard',
        topic: 'platform',
      });
    }
  });

  it.each([
    ['platform.campaign.completed', 'platform.campaign.completed'],
    ['flow.session_started', 'platform.flow_session.started'],
    ['automation.triggered', 'platform.flow_session.triggered'],
    ['assignment.created', 'platform.conversation.assigned'],
    ['assignment.removed', 'platform.conversation.unassigned'],
    ['conversation.assigned', 'platform.conversation.assigned'],
    ['Contact.Tag Added', 'platform.contact.tag_added'],
  ])('maps type %s to %s', (type, expected) => {
    // when
    const events = eventsOf(envelopeOf('standard', JSON.stringify({ type, data: { id: 'x1' } })));

    // then
    expect(events.map((e) => e.type)).toEqual([expected]);
  });

  it('maps a test ping to webhook.test', () => {
    // when
    const events = eventsOf(envelopeOf('standard', JSON.stringify({ type: 'webhook.test' })));

    // then
    expect(events).toMatchObject([{ type: 'webhook.test', topic: 'platform' }]);
  });

  it('keeps a type it does not model as unrecognized, whole', () => {
    // given
    const body = { type: 'invoice.paid', timestamp: '2026-11-20T09:15:00Z', data: { amount: 12 } };

    // when
    const events = eventsOf(envelopeOf('standard', JSON.stringify(body)));

    // then
    expect(events).toMatchObject([
      {
        type: 'whatsapp.change.unrecognized',
        time: '2026-11-20T09:15:00Z',
        data: { field: 'invoice.paid', value: body },
      },
    ]);
  });

  it('dead-letters a body that names no type or event', () => {
    // when
    const result = normalize(envelopeOf('standard', JSON.stringify({ data: {} })));

    // then
    expect(result).toMatchObject({ ok: false, reason: 'payload_unsupported' });
  });
});
