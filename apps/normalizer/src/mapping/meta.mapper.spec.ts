import { fixtureJson } from '@switchboard/fixtures';

import {
  type ExpectedEvent,
  RAW_ID,
  dataOf,
  envelopeOf,
  eventsOf,
  fixtureEnvelope,
  fixturePaths,
  mapFixture,
} from '../../test/mapping';
import { mapMeta } from './meta.mapper';
import { normalize } from './normalize';

const PNID = '106540352242922';
const CONVERSATION = `${PNID}:16505551234`;
const REPLIED_TO = 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
const SHEENA = {
  waId: '16505551234',
  userId: null,
  parentUserId: null,
  profileName: 'Sheena Nelson',
  username: null,
};
const BUSINESS = {
  phoneNumberId: PNID,
  displayPhoneNumber: '15550783881',
  wabaId: '102290129340398',
};

function received(subjectTime: string, data: Record<string, unknown>): ExpectedEvent {
  return { type: 'whatsapp.message.received', subject: CONVERSATION, time: subjectTime, data };
}

function status(time: string, data: Record<string, unknown>): ExpectedEvent {
  return { type: 'whatsapp.message.status_updated', subject: CONVERSATION, time, data };
}

const cases: [string, ExpectedEvent[]][] = [
  [
    'meta/text-message.json',
    [
      received('2025-06-08T20:59:43Z', {
        messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        from: '16505551234',
        contact: SHEENA,
        business: BUSINESS,
        messageType: 'text',
        timestamp: '2025-06-08T20:59:43Z',
        content: { type: 'text', body: 'Does it come in another colour? ¿Y en azul? 🙂' },
        forwarded: false,
        frequentlyForwarded: false,
      }),
    ],
  ],
  [
    'meta/image-message.json',
    [
      received('2025-06-08T21:00:00Z', {
        content: {
          type: 'image',
          mediaId: '1479537139650973',
          mimeType: 'image/jpeg',
          sha256: 'u6Ynh3tMUOwbXDbx9cYAR7Tn9OB4A1nfVcnBEeD6wls=',
          caption: 'This is the scratch on the lid',
          url: null,
        },
      }),
    ],
  ],
  [
    'meta/audio-message.json',
    [
      received('2025-06-08T21:00:10Z', {
        messageType: 'audio',
        content: { type: 'audio', mediaId: '1003383421387256', voice: false },
      }),
    ],
  ],
  [
    'meta/voice-message.json',
    [
      received('2025-06-08T21:00:20Z', {
        messageType: 'audio',
        content: { type: 'audio', mimeType: 'audio/ogg; codecs=opus', voice: true },
      }),
    ],
  ],
  [
    'meta/video-message.json',
    [received('2025-06-08T21:00:30Z', { content: { type: 'video', caption: 'Unboxing' } })],
  ],
  [
    'meta/document-message.json',
    [
      received('2025-06-08T21:00:40Z', {
        content: {
          type: 'document',
          filename: 'invoice-0042.pdf',
          mimeType: 'application/pdf',
          caption: 'Invoice for order 0042',
        },
      }),
    ],
  ],
  [
    'meta/sticker-message.json',
    [
      received('2025-06-08T21:00:50Z', {
        content: { type: 'sticker', mimeType: 'image/webp', animated: false },
      }),
    ],
  ],
  [
    'meta/location-message.json',
    [
      received('2025-06-08T21:01:00Z', {
        content: {
          type: 'location',
          latitude: 37.44216251868683,
          longitude: -122.16153582049394,
          name: 'Philz Coffee',
          address: '101 Forest Ave, Palo Alto, CA 94301',
          url: 'https://www.philzcoffee.com',
        },
      }),
    ],
  ],
  [
    'meta/contacts-message.json',
    [
      received('2025-06-08T21:01:10Z', {
        content: {
          type: 'contacts',
          contacts: [
            {
              name: expect.objectContaining({ formatted_name: 'Barbara J. Johnson' }),
              phones: [{ phone: '+1 (415) 555-0123', type: 'WORK', wa_id: '14155550123' }],
            },
          ],
        },
      }),
    ],
  ],
  [
    'meta/interactive-button-reply.json',
    [
      received('2025-06-08T21:01:20Z', {
        content: {
          type: 'interactive',
          reply: { type: 'button_reply', id: 'change-button', title: 'Change delivery' },
        },
        context: { from: '15550783881', messageId: REPLIED_TO, referredProduct: null },
      }),
    ],
  ],
  [
    'meta/interactive-list-reply.json',
    [
      received('2025-06-08T21:01:30Z', {
        content: {
          type: 'interactive',
          reply: {
            type: 'list_reply',
            id: 'priority_express',
            title: 'Express Shipping',
            description: 'Next-day to most cities',
          },
        },
      }),
    ],
  ],
  [
    'meta/interactive-nfm-reply.json',
    [
      received('2025-06-08T21:01:40Z', {
        content: {
          type: 'interactive',
          reply: {
            type: 'nfm_reply',
            name: 'flow',
            body: 'Sent',
            responseJson:
              '{"flow_token":"AQAAAAACS5FpgQ_cAAAAAD0QI3s.","appointment_date":"2025-06-20","department":"returns","optional_note":null}',
            response: {
              flow_token: 'AQAAAAACS5FpgQ_cAAAAAD0QI3s.',
              appointment_date: '2025-06-20',
              department: 'returns',
              optional_note: null,
            },
          },
        },
      }),
    ],
  ],
  [
    'meta/interactive-nfm-reply-invalid-json.json',
    [
      received('2025-06-08T21:01:50Z', {
        content: {
          type: 'interactive',
          reply: {
            type: 'nfm_reply',
            responseJson: '{"flow_token":"AQAAAAACS5FpgQ_cAAAAAD0QI3s.",',
            response: null,
          },
        },
      }),
    ],
  ],
  [
    'meta/button-message.json',
    [
      received('2025-06-08T21:02:00Z', {
        messageType: 'button',
        content: { type: 'button', payload: 'STOP_PROMOTIONS', text: 'Stop promotions' },
        context: { from: '15550783881', messageId: REPLIED_TO },
      }),
    ],
  ],
  [
    'meta/reaction-message.json',
    [
      received('2025-06-08T21:02:10Z', {
        content: { type: 'reaction', messageId: REPLIED_TO, emoji: '👍', removed: false },
      }),
    ],
  ],
  [
    'meta/reaction-removed.json',
    [
      received('2025-06-08T21:02:20Z', {
        content: { type: 'reaction', messageId: REPLIED_TO, emoji: null, removed: true },
      }),
    ],
  ],
  [
    'meta/order-message.json',
    [
      received('2025-06-08T21:02:30Z', {
        content: {
          type: 'order',
          catalogId: '194836987003835',
          text: 'Please deliver after 6pm',
          productItems: [
            { productRetailerId: 'di9ozbzfi4', quantity: 2, itemPrice: 30.5, currency: 'USD' },
            { productRetailerId: 'nqryix03ez', quantity: 1, itemPrice: 12, currency: 'USD' },
          ],
        },
      }),
    ],
  ],
  [
    'meta/system-user-changed-number.json',
    [
      received('2025-06-08T21:02:40Z', {
        from: '16505551234',
        // A system message carries no contacts: the contact is what the message says.
        contact: { ...SHEENA, profileName: null },
        content: {
          type: 'system',
          systemType: 'user_changed_number',
          body: 'User A changed from 16505551234 to 16505559876',
          waId: '16505559876',
          newWaId: null,
        },
      }),
    ],
  ],
  [
    'meta/unsupported-message.json',
    [
      received('2025-06-08T21:02:50Z', {
        messageType: 'unsupported',
        content: { type: 'unsupported' },
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            details: 'Message type is currently not supported.',
            href: null,
          },
        ],
      }),
    ],
  ],
  [
    'meta/unknown-message.json',
    [
      received('2025-06-08T21:03:00Z', {
        messageType: 'unknown',
        content: { type: 'unsupported' },
        errors: [expect.objectContaining({ code: 131051 })],
      }),
    ],
  ],
  [
    'meta/request-welcome.json',
    [received('2025-06-08T21:03:10Z', { content: { type: 'request_welcome' } })],
  ],
  [
    'meta/edit-message.json',
    [
      received('2025-06-08T21:03:20Z', {
        content: {
          type: 'edit',
          originalMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
          message: { type: 'text', body: 'Does it come in another colour? And in navy?' },
        },
      }),
    ],
  ],
  [
    'meta/revoke-message.json',
    [
      received('2025-06-08T21:03:30Z', {
        content: {
          type: 'revoke',
          originalMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        },
      }),
    ],
  ],
  [
    'meta/reply-with-context.json',
    [
      received('2025-06-08T21:03:40Z', {
        content: { type: 'text', body: 'Yes, Thursday works' },
        context: { from: '15550783881', messageId: REPLIED_TO, referredProduct: null },
      }),
    ],
  ],
  [
    'meta/forwarded-message.json',
    [received('2025-06-08T21:03:50Z', { forwarded: true, frequentlyForwarded: false })],
  ],
  [
    'meta/frequently-forwarded-message.json',
    [received('2025-06-08T21:04:00Z', { forwarded: false, frequentlyForwarded: true })],
  ],
  [
    'meta/referred-product-message.json',
    [
      received('2025-06-08T21:04:10Z', {
        context: {
          from: '15550783881',
          messageId: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJBQkNERUYwMTIzNDU2Nzg5AA==',
          referredProduct: { catalogId: '194836987003835', productRetailerId: 'di9ozbzfi4' },
        },
      }),
    ],
  ],
  [
    'meta/ctwa-referral-message.json',
    [
      received('2025-06-08T21:04:20Z', {
        referral: {
          sourceUrl: 'https://fb.me/3cr4Wqqkv',
          sourceId: '120226305854810726',
          sourceType: 'ad',
          body: 'Spring sale: 30% off all lamps',
          headline: 'Lucky Shrub Spring Sale',
          mediaType: 'image',
          imageUrl: 'https://scontent.xx.fbcdn.net/v/t45.1600-4/spring-sale.jpg',
          videoUrl: null,
          thumbnailUrl: null,
          ctwaClid:
            'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a',
        },
      }),
    ],
  ],
  [
    'meta/identity-message.json',
    [
      received('2025-06-08T21:04:30Z', {
        identity: { acknowledged: true, createdAt: '2025-06-08T20:53:20Z', hash: 'Sjvjlx8G6Z0=' },
      }),
    ],
  ],
  [
    'meta/business-scoped-user-message.json',
    [
      {
        type: 'whatsapp.message.received',
        subject: `${PNID}:US.13491208655302741918`,
        data: {
          from: null,
          contact: {
            waId: null,
            userId: 'US.13491208655302741918',
            parentUserId: 'US.11815799212886844830',
            profileName: 'Jordan',
            username: '@jordan.k',
          },
        },
      },
    ],
  ],
  [
    'meta/status-sent.json',
    [
      status('2025-06-18T16:22:50Z', {
        messageId: REPLIED_TO,
        status: 'sent',
        providerStatus: 'sent',
        recipientId: '16505551234',
        business: BUSINESS,
        timestamp: '2025-06-18T16:22:50Z',
        conversation: {
          id: '4b4d6a2b8a6f1c6d8e0b0f7a2c2d1e3f',
          expiresAt: '2025-06-19T16:23:00Z',
          originType: 'utility',
        },
        pricing: { billable: true, pricingModel: 'PMP', type: 'regular', category: 'utility' },
        errors: [],
        callbackData: 'order-0042',
      }),
    ],
  ],
  [
    'meta/status-unknown-value.json',
    [
      {
        ...status('2025-06-18T16:23:10Z', {
          messageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJBQkNERUYwMTIzNDU2Nzg5QQA=',
          status: 'unknown',
          providerStatus: 'held_for_quality_assessment',
          recipientId: '16505551234',
          raw: {
            id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJBQkNERUYwMTIzNDU2Nzg5QQA=',
            status: 'held_for_quality_assessment',
            timestamp: '1750263790',
            recipient_id: '16505551234',
          },
        }),
        topic: 'delivery_status',
      } as ExpectedEvent,
    ],
  ],
  [
    'meta/status-delivered.json',
    [status('2025-06-18T16:22:53Z', { status: 'delivered', conversation: { expiresAt: null } })],
  ],
  [
    'meta/status-read.json',
    [status('2025-06-18T16:23:10Z', { status: 'read', conversation: null, pricing: null })],
  ],
  [
    'meta/status-played.json',
    [
      status('2025-06-18T16:24:10Z', {
        messageId: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBIzMkE0QjVDNkQ3RThGOTAxMjMA',
        status: 'played',
      }),
    ],
  ],
  [
    'meta/status-failed.json',
    [
      status('2025-06-18T16:26:40Z', {
        status: 'failed',
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            message: 'Re-engagement message',
            details:
              'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
            href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
          },
        ],
      }),
    ],
  ],
  [
    'meta/change-level-errors.json',
    [
      {
        type: 'whatsapp.error.reported',
        subject: PNID,
        data: {
          error: {
            code: 131000,
            title: 'Something went wrong',
            message: 'Something went wrong',
            details: 'Unable to process the incoming message: media download failed',
            href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
          },
          business: BUSINESS,
        },
      },
    ],
  ],
  [
    'meta/template-status-update.json',
    [
      {
        type: 'whatsapp.template.status_changed',
        subject: '806312974732579',
        time: '2025-07-02T23:46:40Z',
        data: {
          templateId: '806312974732579',
          templateName: 'order_shipped',
          language: 'en_US',
          wabaId: '102290129340398',
          event: 'APPROVED',
          reason: 'NONE',
          category: 'UTILITY',
          raw: fixtureJson<{ entry: { changes: { value: unknown }[] }[] }>(
            'meta/template-status-update.json',
          ).entry[0]?.changes[0]?.value,
        },
      },
    ],
  ],
  [
    'meta/template-status-rejected.json',
    [
      {
        type: 'whatsapp.template.status_changed',
        subject: '1689556908129832',
        data: {
          event: 'REJECTED',
          reason: 'INVALID_FORMAT',
          rejectionInfo: {
            reason: 'The template has too many variables for its length.',
            recommendation: 'Add more text around the variables.',
          },
        },
      },
    ],
  ],
  [
    'meta/template-quality-update.json',
    [
      {
        type: 'whatsapp.template.quality_changed',
        subject: '806312974732579',
        time: '2025-07-04T03:33:20Z',
        data: { previousQualityScore: 'GREEN', newQualityScore: 'YELLOW' },
      },
    ],
  ],
  [
    'meta/template-category-update.json',
    [
      {
        type: 'whatsapp.template.category_changed',
        subject: '1689556908129832',
        data: {
          previousCategory: 'UTILITY',
          newCategory: 'MARKETING',
          correctCategory: 'MARKETING',
        },
      },
    ],
  ],
  [
    'meta/phone-number-quality-update.json',
    [
      {
        type: 'whatsapp.account.quality_changed',
        subject: '15550783881',
        time: '2025-07-06T11:06:40Z',
        data: {
          displayPhoneNumber: '15550783881',
          event: 'UPGRADE',
          currentLimit: 'TIER_10K',
          oldLimit: 'TIER_1K',
          maxDailyConversationsPerBusiness: null,
        },
      },
    ],
  ],
  [
    'meta/phone-number-name-update.json',
    [
      {
        type: 'whatsapp.account.updated',
        subject: '15550783881',
        data: {
          change: 'phone_number_name_update',
          decision: 'APPROVED',
          requestedVerifiedName: 'Lucky Shrub',
          rejectionReason: null,
        },
      },
    ],
  ],
  [
    'meta/account-update.json',
    [
      {
        type: 'whatsapp.account.updated',
        subject: '102290129340398',
        data: {
          change: 'account_update',
          event: 'ACCOUNT_VIOLATION',
          raw: {
            phone_number: '15550783881',
            event: 'ACCOUNT_VIOLATION',
            violation_info: { violation_type: 'SCAM' },
          },
        },
      },
    ],
  ],
  [
    'meta/account-review-update.json',
    [
      {
        type: 'whatsapp.account.updated',
        data: { change: 'account_review_update', decision: 'APPROVED' },
      },
    ],
  ],
  [
    'meta/business-capability-update.json',
    [
      {
        type: 'whatsapp.account.updated',
        data: {
          change: 'business_capability_update',
          maxDailyConversationsPerBusiness: 10000,
          maxPhoneNumbersPerBusiness: 25,
        },
      },
    ],
  ],
  [
    'meta/security.json',
    [
      {
        type: 'whatsapp.account.updated',
        data: { change: 'security', event: 'PIN_CHANGED', requester: '2345678901234567' },
      },
    ],
  ],
  [
    'meta/account-alerts.json',
    [
      {
        type: 'whatsapp.account.alert',
        subject: PNID,
        data: {
          entityType: 'PHONE_NUMBER',
          entityId: PNID,
          alertSeverity: 'WARNING',
          alertStatus: 'ACTIVE',
          alertType: 'INCREASED_MESSAGING_LIMIT_DENIED',
          alertDescription: 'Your request for a higher messaging limit was denied.',
        },
      },
    ],
  ],
  [
    'meta/user-preferences.json',
    [
      {
        type: 'whatsapp.user.preferences_changed',
        subject: CONVERSATION,
        time: '2025-07-07T06:33:20Z',
        data: {
          contact: SHEENA,
          category: 'marketing_messages',
          preference: 'stop',
          detail: 'User requested to stop marketing messages',
          timestamp: '2025-07-07T06:33:20Z',
        },
      },
    ],
  ],
  [
    'meta/smb-message-echoes.json',
    [
      {
        type: 'whatsapp.message.echoed',
        subject: CONVERSATION,
        data: {
          messageId: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0NEI1QzZEN0U4RjkwQUIxMkMA',
          from: '15550783881',
          to: '16505551234',
          content: {
            type: 'text',
            body: 'Your order ships tomorrow. Thanks for shopping with Lucky Shrub!',
          },
        },
      },
    ],
  ],
  [
    'meta/flows-status-change.json',
    [
      {
        type: 'whatsapp.flow.event',
        subject: '1097420589034000',
        data: {
          event: 'FLOW_STATUS_CHANGE',
          flowId: '1097420589034000',
          oldStatus: 'DRAFT',
          newStatus: 'PUBLISHED',
        },
      },
    ],
  ],
  [
    'meta/calls-connect.json',
    [
      {
        type: 'whatsapp.call.event',
        subject: CONVERSATION,
        time: '2025-07-07T14:53:20Z',
        data: {
          callId: 'wacid.HBgLMTY1MDU1NTEyMzQVAgARGBg2QkU3RTVCMDFFRTQyOTQzQTYA',
          event: 'connect',
          direction: 'USER_INITIATED',
          from: '16505551234',
          to: '15550783881',
          contact: SHEENA,
        },
      },
    ],
  ],
  [
    'meta/calls-terminate.json',
    [
      {
        type: 'whatsapp.call.event',
        data: {
          event: 'terminate',
          status: 'COMPLETED',
          startTime: '2025-07-07T14:53:25Z',
          endTime: '2025-07-07T14:55:25Z',
          durationSeconds: 120,
        },
      },
    ],
  ],
  [
    'meta/unknown-field.json',
    [
      {
        type: 'whatsapp.change.unrecognized',
        subject: '102290129340398',
        data: {
          field: 'history',
          value: fixtureJson<{ entry: { changes: { value: unknown }[] }[] }>(
            'meta/unknown-field.json',
          ).entry[0]?.changes[0]?.value,
          wabaId: '102290129340398',
        },
      },
    ],
  ],
];

describe(mapMeta.name, () => {
  it('has an expectation for every Meta fixture but the batches (tested below)', () => {
    expect(cases.map(([path]) => path).sort()).toEqual(
      fixturePaths('meta').filter(
        (path) =>
          path !== 'meta/multi-entry-batch.json' &&
          path !== 'meta/statuses-batch-one-malformed.json',
      ),
    );
  });

  it('maps every good status of a batch and sets the malformed one aside, with where it is', () => {
    // when
    const result = normalize(fixtureEnvelope('meta/statuses-batch-one-malformed.json'));

    // then the three good statuses are events, and the one whose timestamp is not a time fails alone
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.events.map((e) => [e.type, dataOf(e).messageId, dataOf(e).status])).toEqual([
      ['whatsapp.message.status_updated', 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCQVRDSDAw0', 'sent'],
      [
        'whatsapp.message.status_updated',
        'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCQVRDSDAw1',
        'delivered',
      ],
      ['whatsapp.message.status_updated', 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCQVRDSDAw3', 'read'],
    ]);
    expect(result.failures).toEqual([
      {
        pointer: '/entry/0/changes/0/value/statuses/2',
        reason: 'payload_schema_violation',
        message: expect.stringContaining('entry[0].changes[0].value.statuses[2]'),
        issues: [expect.objectContaining({ path: ['data', 'timestamp'] })],
        value: {
          id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCQVRDSDAw2',
          status: 'read',
          recipient_id: '16505551234',
          timestamp: 'not-a-time',
        },
      },
    ]);
  });

  it.each(cases)('maps %s to exactly the expected events', (path, expected) => {
    // when
    const events = mapFixture(path);

    // then
    expect(events).toMatchObject(expected);
    for (const event of events) {
      expect(event).toMatchObject({
        source: 'switchboard/meta/102290129340398',
        provider: 'meta',
        businessid: 'biz_acme',
        environment: 'production',
        rawid: RAW_ID,
      });
    }
  });

  it('maps a multi-entry, multi-change request to every update, in order', () => {
    // when
    const events = mapFixture('meta/multi-entry-batch.json');

    // then
    expect(
      events.map((e) => [e.type, e.source, e.subject, e.time, dataOf(e).messageId ?? null]),
    ).toEqual([
      [
        'whatsapp.message.received',
        'switchboard/meta/102290129340398',
        CONVERSATION,
        '2025-07-08T18:40:00Z',
        'wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIzMDAwMDAwMDAwMDAwMDAwMDEA',
      ],
      [
        'whatsapp.message.received',
        'switchboard/meta/102290129340398',
        `${PNID}:16315551234`,
        '2025-07-08T18:40:02Z',
        'wamid.HBgLMTYzMTU1NTEyMzQVAgASGBQzRUIzMDAwMDAwMDAwMDAwMDAwMDIA',
      ],
      [
        'whatsapp.message.status_updated',
        'switchboard/meta/102290129340398',
        CONVERSATION,
        '2025-07-08T18:40:10Z',
        REPLIED_TO,
      ],
      [
        'whatsapp.message.status_updated',
        'switchboard/meta/102290129340398',
        CONVERSATION,
        '2025-07-08T18:40:05Z',
        REPLIED_TO,
      ],
      [
        'whatsapp.message.received',
        'switchboard/meta/109876543210987',
        '113344556677889:447700900123',
        '2025-07-08T18:40:15Z',
        'wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUM0VCMzAwMDAwMDAwMDAwMDAwMDMA',
      ],
      [
        'whatsapp.template.status_changed',
        'switchboard/meta/109876543210987',
        '998877665544332',
        '2025-07-08T18:40:20Z',
        null,
      ],
    ]);
    // Each message gets its own contact from contacts[].
    expect(dataOf(events[1]).contact).toMatchObject({
      waId: '16315551234',
      profileName: 'Kerry Fisher',
    });
    expect(dataOf(events[4]).contact).toMatchObject({ profileName: 'Oliver Smith' });
    expect(new Set(events.map((e) => e.id)).size).toBe(6);
  });

  it('gives an update the same id inside a batch as on its own', () => {
    // given a read status delivered alone, then again inside a batch
    const alone = mapFixture('meta/status-read.json');
    const batch = mapFixture('meta/multi-entry-batch.json');

    // then
    expect(batch[2]?.id).toBe(alone[0]?.id);
  });

  it('keeps an unknown field whole, with its raw value', () => {
    // given
    const value = { anything: [1, 'two', { three: null }], nested: { deep: true } };
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', changes: [{ field: 'brand_new_field', value }] }],
    });

    // when
    const events = eventsOf(envelopeOf('meta', body));

    // then
    expect(events).toEqual([
      expect.objectContaining({
        type: 'whatsapp.change.unrecognized',
        topic: 'account',
        data: { field: 'brand_new_field', value, wabaId: '102290129340398' },
      }),
    ]);
  });

  it('keeps a known field whose value is not an object as unrecognized, with why', () => {
    // given
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'account_alerts', value: 'not an object' }] }],
    });

    // when
    const events = eventsOf(envelopeOf('meta', body));

    // then
    expect(events[0]?.data).toEqual({
      field: 'account_alerts',
      value: 'not an object',
      wabaId: '1',
      reason: 'The value is not an object',
    });
  });

  it('keeps a status Switchboard does not know on delivery_status as unknown, with the word as sent', () => {
    // given a batch with a known and an unknown status
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: PNID },
                statuses: [
                  { id: 'wamid.A', status: 'warning', timestamp: '1750263790' },
                  { id: 'wamid.B', status: 'read', timestamp: '1750263790', recipient_id: '1' },
                ],
              },
            },
          ],
        },
      ],
    });

    // when
    const events = eventsOf(envelopeOf('meta', body));

    // then
    expect(events.map((e) => [e.type, e.topic])).toEqual([
      ['whatsapp.message.status_updated', 'delivery_status'],
      ['whatsapp.message.status_updated', 'delivery_status'],
    ]);
    expect(events[0]?.data).toMatchObject({
      messageId: 'wamid.A',
      status: 'unknown',
      providerStatus: 'warning',
      timestamp: '2025-06-18T16:23:10Z',
      raw: { id: 'wamid.A', status: 'warning', timestamp: '1750263790' },
    });
    expect(events[1]?.data).toMatchObject({ status: 'read', providerStatus: 'read' });
  });

  it('tells two unknown statuses of one message apart', () => {
    // given the same message in two statuses Switchboard does not know
    const statuses = ['warning', 'pending'].map((status) => ({
      id: 'wamid.A',
      status,
      timestamp: '1750263790',
    }));
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            { field: 'messages', value: { metadata: { phone_number_id: PNID }, statuses } },
          ],
        },
      ],
    });

    // when
    const events = eventsOf(envelopeOf('meta', body));

    // then
    expect(events.map((e) => (e.data as { providerStatus: string }).providerStatus)).toEqual([
      'warning',
      'pending',
    ]);
    expect(events[0]?.id).not.toBe(events[1]?.id);
  });

  it('keeps provider ids exactly, also digits too long for a number', () => {
    // given a template id of 20 digits sent as a JSON number
    const body =
      '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1751500000,' +
      '"changes":[{"field":"message_template_status_update","value":{"event":"APPROVED",' +
      '"message_template_id":12345678901234567890,"message_template_name":" Mixed_Case "}}]}]}';

    // when
    const [event] = eventsOf(envelopeOf('meta', body));

    // then
    expect(event?.data).toMatchObject({
      templateId: '12345678901234567890',
      templateName: ' Mixed_Case ',
    });
    expect(event?.subject).toBe('12345678901234567890');
  });

  it('takes unix seconds as a number as well as a string', () => {
    // given
    const fixture = fixtureJson<Record<string, unknown>>('meta/text-message.json');
    const body = JSON.stringify(fixture).replace(
      '"timestamp":"1749416383"',
      '"timestamp":1749416383',
    );

    // when
    const [event] = eventsOf(envelopeOf('meta', body));

    // then
    expect(event?.time).toBe('2025-06-08T20:59:43Z');
    expect(event?.id).toBe(mapFixture('meta/text-message.json')[0]?.id);
  });

  it.each<[string, unknown, string]>([
    ['a body that is not an object', [1, 2], 'payload_unsupported'],
    ['another object type', { object: 'page', entry: [] }, 'payload_unsupported'],
    ['no entry array', { object: 'whatsapp_business_account' }, 'payload_schema_violation'],
  ])('dead-letters %s', (_label, body, reason) => {
    // when
    const result = normalize(envelopeOf('meta', JSON.stringify(body)));

    // then
    expect(result).toMatchObject({ ok: false, reason });
  });

  it.each<[string, unknown, string, unknown]>([
    [
      'changes that are not an array',
      { object: 'whatsapp_business_account', entry: [{ id: '1', changes: {} }] },
      '/entry/0/changes',
      {},
    ],
    [
      'a change without its field',
      { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ value: {} }] }] },
      '/entry/0/changes/0',
      { value: {} },
    ],
    [
      'an entry that is not an object',
      { object: 'whatsapp_business_account', entry: ['entry'] },
      '/entry/0',
      'entry',
    ],
    [
      'a text message without a body',
      {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1',
            changes: [
              {
                field: 'messages',
                value: {
                  messages: [{ from: '1', id: 'wamid.X', timestamp: '1', type: 'text', text: {} }],
                },
              },
            ],
          },
        ],
      },
      '/entry/0/changes/0/value/messages/0',
      { from: '1', id: 'wamid.X', timestamp: '1', type: 'text', text: {} },
    ],
  ])('sets %s aside as one item failure', (_label, body, pointer, value) => {
    // when
    const result = normalize(envelopeOf('meta', JSON.stringify(body)));

    // then
    expect(result).toMatchObject({
      ok: true,
      events: [],
      failures: [{ pointer, reason: 'payload_schema_violation', value }],
    });
  });

  it('names the path of a schema violation in the issues', () => {
    // given a message without a timestamp
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messages: [{ from: '1', id: 'wamid.X', type: 'text', text: { body: 'hi' } }],
              },
            },
          ],
        },
      ],
    });

    // when
    const result = normalize(envelopeOf('meta', body));

    // then
    expect(result.ok).toBe(true);
    if (result.ok) {
      const [failure] = result.failures;
      expect(failure?.pointer).toBe('/entry/0/changes/0/value/messages/0');
      expect(failure?.message).toContain('entry[0].changes[0].value.messages[0]');
      expect(failure?.issues.map((issue) => issue.path.join('.'))).toEqual(['data.timestamp']);
    }
  });
});
