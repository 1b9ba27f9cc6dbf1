import type { AccountAlertEvent, AccountQualityChangedEvent, AccountUpdatedEvent } from './account';
import type {
  CallEvent,
  ChangeUnrecognizedEvent,
  FlowEvent,
  UserPreferencesChangedEvent,
} from './activity';
import type {
  ErrorReportedEvent,
  MessageEchoedEvent,
  MessageReceivedEvent,
  MessageStatusUpdatedEvent,
} from './messages';
import type {
  PlatformCampaignEvent,
  PlatformContactEvent,
  PlatformConversationEvent,
  PlatformFlowSessionEvent,
} from './platform';
import type {
  TemplateCategoryChangedEvent,
  TemplateQualityChangedEvent,
  TemplateStatusChangedEvent,
} from './templates';
import type { WebhookTestEvent } from './webhook-test';

/*
 * One valid example per canonical event type: what the normalizer produces from the fixture named
 * above each (source `src_<provider>_acme`, business `biz_acme`, raw id of
 * `examples.RawInboundEnvelope`). A normalizer test maps those fixtures and asserts these exact
 * values, so the examples (and the README generated from them) stay accurate.
 */

/** From examples.RawInboundEnvelope (meta text message). */
const messageReceivedEvent: MessageReceivedEvent = {
  specversion: '1.0',
  id: 'ec1c65c3-db66-5315-944d-62f193eea5b7',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.message.received',
  time: '2025-06-08T20:59:43Z',
  subject: '106540352242922:16505551234',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'messages',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    messageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
    from: '16505551234',
    contact: {
      waId: '16505551234',
      userId: null,
      parentUserId: null,
      profileName: 'Sheena Nelson',
      username: null,
    },
    business: {
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      wabaId: '102290129340398',
    },
    messageType: 'text',
    timestamp: '2025-06-08T20:59:43Z',
    content: {
      type: 'text',
      body: 'Does it come in another color?',
    },
    forwarded: false,
    frequentlyForwarded: false,
    raw: {
      from: '16505551234',
      id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      timestamp: '1749416383',
      type: 'text',
      text: { body: 'Does it come in another color?' },
    },
  },
};

/** From meta/smb-message-echoes.json. */
const messageEchoedEvent: MessageEchoedEvent = {
  specversion: '1.0',
  id: '79b38173-ff7d-5993-89a0-27ab69368df1',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.message.echoed',
  time: '2025-07-07T09:20:00Z',
  subject: '106540352242922:16505551234',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'messages',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    messageId: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0NEI1QzZEN0U4RjkwQUIxMkMA',
    from: '15550783881',
    to: '16505551234',
    business: {
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      wabaId: '102290129340398',
    },
    messageType: 'text',
    timestamp: '2025-07-07T09:20:00Z',
    content: {
      type: 'text',
      body: 'Your order ships tomorrow. Thanks for shopping with Lucky Shrub!',
    },
    forwarded: false,
    frequentlyForwarded: false,
    raw: {
      from: '15550783881',
      to: '16505551234',
      id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0NEI1QzZEN0U4RjkwQUIxMkMA',
      timestamp: '1751880000',
      type: 'text',
      text: { body: 'Your order ships tomorrow. Thanks for shopping with Lucky Shrub!' },
    },
  },
};

/** From meta/status-sent.json. */
const messageStatusUpdatedEvent: MessageStatusUpdatedEvent = {
  specversion: '1.0',
  id: '80379056-b253-5841-a82f-2ab5c70ef0dc',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.message.status_updated',
  time: '2025-06-18T16:22:50Z',
  subject: '106540352242922:16505551234',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'delivery_status',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    messageId: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
    status: 'sent',
    providerStatus: 'sent',
    recipientId: '16505551234',
    business: {
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      wabaId: '102290129340398',
    },
    timestamp: '2025-06-18T16:22:50Z',
    conversation: {
      id: '4b4d6a2b8a6f1c6d8e0b0f7a2c2d1e3f',
      expiresAt: '2025-06-19T16:23:00Z',
      originType: 'utility',
    },
    pricing: {
      billable: true,
      pricingModel: 'PMP',
      type: 'regular',
      category: 'utility',
    },
    errors: [],
    callbackData: 'order-0042',
    raw: {
      id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
      status: 'sent',
      timestamp: '1750263770',
      recipient_id: '16505551234',
      biz_opaque_callback_data: 'order-0042',
      conversation: {
        id: '4b4d6a2b8a6f1c6d8e0b0f7a2c2d1e3f',
        expiration_timestamp: '1750350180',
        origin: { type: 'utility' },
      },
      pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
    },
  },
};

/** From meta/change-level-errors.json. */
const errorReportedEvent: ErrorReportedEvent = {
  specversion: '1.0',
  id: 'b9dd8c05-747b-51b6-8622-e14911da954a',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.error.reported',
  time: '2026-03-10T11:30:00.123Z',
  subject: '106540352242922',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'messages',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    error: {
      code: 131000,
      title: 'Something went wrong',
      message: 'Something went wrong',
      details: 'Unable to process the incoming message: media download failed',
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
    },
    business: {
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      wabaId: '102290129340398',
    },
    raw: {
      code: 131000,
      title: 'Something went wrong',
      message: 'Something went wrong',
      error_data: { details: 'Unable to process the incoming message: media download failed' },
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
    },
  },
};

/** From meta/template-status-update.json. */
const templateStatusChangedEvent: TemplateStatusChangedEvent = {
  specversion: '1.0',
  id: '77ead59f-6a9a-5e4d-8376-9192c1743eaf',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.template.status_changed',
  time: '2025-07-02T23:46:40Z',
  subject: '806312974732579',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'templates',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    templateId: '806312974732579',
    templateName: 'order_shipped',
    language: 'en_US',
    wabaId: '102290129340398',
    event: 'APPROVED',
    reason: 'NONE',
    category: 'UTILITY',
    raw: {
      event: 'APPROVED',
      message_template_id: 806312974732579,
      message_template_name: 'order_shipped',
      message_template_language: 'en_US',
      reason: 'NONE',
      message_template_category: 'UTILITY',
    },
  },
};

/** From meta/template-quality-update.json. */
const templateQualityChangedEvent: TemplateQualityChangedEvent = {
  specversion: '1.0',
  id: '0607e91c-33ce-51e5-a49f-029de26556ce',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.template.quality_changed',
  time: '2025-07-04T03:33:20Z',
  subject: '806312974732579',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'templates',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    templateId: '806312974732579',
    templateName: 'order_shipped',
    language: 'en_US',
    wabaId: '102290129340398',
    previousQualityScore: 'GREEN',
    newQualityScore: 'YELLOW',
    raw: {
      previous_quality_score: 'GREEN',
      new_quality_score: 'YELLOW',
      message_template_id: 806312974732579,
      message_template_name: 'order_shipped',
      message_template_language: 'en_US',
    },
  },
};

/** From meta/template-category-update.json. */
const templateCategoryChangedEvent: TemplateCategoryChangedEvent = {
  specversion: '1.0',
  id: '4638b953-8e3d-5c5d-9e95-09e23e87cfde',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.template.category_changed',
  time: '2025-07-05T07:20:00Z',
  subject: '1689556908129832',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'templates',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    templateId: '1689556908129832',
    templateName: 'spring_sale_2026',
    language: 'en_US',
    wabaId: '102290129340398',
    previousCategory: 'UTILITY',
    newCategory: 'MARKETING',
    correctCategory: 'MARKETING',
    raw: {
      message_template_id: 1689556908129832,
      message_template_name: 'spring_sale_2026',
      message_template_language: 'en_US',
      previous_category: 'UTILITY',
      new_category: 'MARKETING',
      correct_category: 'MARKETING',
    },
  },
};

/** From meta/phone-number-quality-update.json. */
const accountQualityChangedEvent: AccountQualityChangedEvent = {
  specversion: '1.0',
  id: '0d2c8166-9948-5fc7-bcd1-bf15e965e7a9',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.account.quality_changed',
  time: '2025-07-06T11:06:40Z',
  subject: '15550783881',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'account',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    displayPhoneNumber: '15550783881',
    event: 'UPGRADE',
    currentLimit: 'TIER_10K',
    oldLimit: 'TIER_1K',
    maxDailyConversationsPerBusiness: null,
    wabaId: '102290129340398',
    raw: {
      display_phone_number: '15550783881',
      event: 'UPGRADE',
      current_limit: 'TIER_10K',
      old_limit: 'TIER_1K',
    },
  },
};

/** From meta/phone-number-name-update.json. */
const accountUpdatedEvent: AccountUpdatedEvent = {
  specversion: '1.0',
  id: '4ca1b917-bfc7-5cf6-8b7e-d04ada357177',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.account.updated',
  time: '2025-07-06T13:53:20Z',
  subject: '15550783881',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'account',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    change: 'phone_number_name_update',
    displayPhoneNumber: '15550783881',
    decision: 'APPROVED',
    requestedVerifiedName: 'Lucky Shrub',
    rejectionReason: null,
    wabaId: '102290129340398',
    raw: {
      display_phone_number: '15550783881',
      decision: 'APPROVED',
      requested_verified_name: 'Lucky Shrub',
      rejection_reason: null,
    },
  },
};

/** From meta/account-alerts.json. */
const accountAlertEvent: AccountAlertEvent = {
  specversion: '1.0',
  id: 'ef4b6dd6-7497-5b40-bbf7-b09ff4059552',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.account.alert',
  time: '2025-07-06T22:13:20Z',
  subject: '106540352242922',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'account',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    entityType: 'PHONE_NUMBER',
    entityId: '106540352242922',
    alertSeverity: 'WARNING',
    alertStatus: 'ACTIVE',
    alertType: 'INCREASED_MESSAGING_LIMIT_DENIED',
    alertDescription: 'Your request for a higher messaging limit was denied.',
    wabaId: '102290129340398',
    raw: {
      entity_type: 'PHONE_NUMBER',
      entity_id: '106540352242922',
      alert_info: {
        alert_severity: 'WARNING',
        alert_status: 'ACTIVE',
        alert_type: 'INCREASED_MESSAGING_LIMIT_DENIED',
        alert_description: 'Your request for a higher messaging limit was denied.',
      },
    },
  },
};

/** From meta/user-preferences.json. */
const userPreferencesChangedEvent: UserPreferencesChangedEvent = {
  specversion: '1.0',
  id: '0010d9e8-6c0d-5042-bd07-418883454120',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.user.preferences_changed',
  time: '2025-07-07T06:33:20Z',
  subject: '106540352242922:16505551234',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'users',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    contact: {
      waId: '16505551234',
      userId: null,
      parentUserId: null,
      profileName: 'Sheena Nelson',
      username: null,
    },
    business: {
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      wabaId: '102290129340398',
    },
    category: 'marketing_messages',
    preference: 'stop',
    detail: 'User requested to stop marketing messages',
    timestamp: '2025-07-07T06:33:20Z',
    raw: {
      wa_id: '16505551234',
      detail: 'User requested to stop marketing messages',
      category: 'marketing_messages',
      value: 'stop',
      timestamp: 1751870000,
    },
  },
};

/** From meta/flows-status-change.json. */
const flowEvent: FlowEvent = {
  specversion: '1.0',
  id: '19e7ce77-aa5a-5e81-98c6-8da186267dd3',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.flow.event',
  time: '2025-07-07T12:06:40Z',
  subject: '1097420589034000',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'flows',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    event: 'FLOW_STATUS_CHANGE',
    flowId: '1097420589034000',
    message: 'Flow Appointment booking changed status from DRAFT to PUBLISHED',
    oldStatus: 'DRAFT',
    newStatus: 'PUBLISHED',
    wabaId: '102290129340398',
    raw: {
      event: 'FLOW_STATUS_CHANGE',
      message: 'Flow Appointment booking changed status from DRAFT to PUBLISHED',
      flow_id: '1097420589034000',
      old_status: 'DRAFT',
      new_status: 'PUBLISHED',
    },
  },
};

/** From meta/calls-connect.json. */
const callEvent: CallEvent = {
  specversion: '1.0',
  id: '39ee043a-e851-5d47-9bb9-c572097758ec',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.call.event',
  time: '2025-07-07T14:53:20Z',
  subject: '106540352242922:16505551234',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'calls',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    callId: 'wacid.HBgLMTY1MDU1NTEyMzQVAgARGBg2QkU3RTVCMDFFRTQyOTQzQTYA',
    event: 'connect',
    status: null,
    direction: 'USER_INITIATED',
    from: '16505551234',
    to: '15550783881',
    timestamp: '2025-07-07T14:53:20Z',
    startTime: null,
    endTime: null,
    durationSeconds: null,
    contact: {
      waId: '16505551234',
      userId: null,
      parentUserId: null,
      profileName: 'Sheena Nelson',
      username: null,
    },
    business: {
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      wabaId: '102290129340398',
    },
    raw: {
      id: 'wacid.HBgLMTY1MDU1NTEyMzQVAgARGBg2QkU3RTVCMDFFRTQyOTQzQTYA',
      to: '15550783881',
      from: '16505551234',
      event: 'connect',
      timestamp: '1751900000',
      direction: 'USER_INITIATED',
      session: {
        sdp_type: 'offer',
        sdp: 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n',
      },
    },
  },
};

/** From meta/unknown-field.json. */
const changeUnrecognizedEvent: ChangeUnrecognizedEvent = {
  specversion: '1.0',
  id: 'f93e94ae-ce2c-549e-8185-a511b8c623ed',
  source: 'switchboard/meta/102290129340398',
  type: 'whatsapp.change.unrecognized',
  time: '2026-03-10T11:30:00.123Z',
  subject: '102290129340398',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'account',
  environment: 'production',
  provider: 'meta',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    field: 'history',
    value: {
      messaging_product: 'whatsapp',
      metadata: {
        display_phone_number: '15550783881',
        phone_number_id: '106540352242922',
      },
      history: [
        {
          metadata: {
            phase: 0,
            chunk_order: 1,
            progress: 55,
          },
          threads: [
            {
              id: '16505551234',
              messages: [
                {
                  from: '16505551234',
                  id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIwMDAwMDAwMDAwMDAwMDAwMQA=',
                  timestamp: '1740000000',
                  type: 'text',
                  text: {
                    body: 'Old message',
                  },
                  history_context: {
                    status: 'READ',
                  },
                },
              ],
            },
          ],
        },
      ],
    },
    wabaId: '102290129340398',
  },
};

/** From cubeconnect/campaign-completed.json. */
const platformCampaignEvent: PlatformCampaignEvent = {
  specversion: '1.0',
  id: 'cd6e2fc9-4fb9-5981-a86f-d420951818fc',
  source: 'switchboard/cubeconnect/src_cubeconnect_acme',
  type: 'platform.campaign.completed',
  time: '2026-03-11T07:42:17Z',
  subject: '42',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'platform',
  environment: 'production',
  provider: 'cubeconnect',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    event: 'campaign.completed',
    payload: {
      event: 'campaign.completed',
      tenant_id: 1,
      timestamp: '2026-03-11T10:42:17+03:00',
      campaign_id: 42,
      campaign_name: 'Ramadan Offers',
      stats: {
        total: 1500,
        sent: 1487,
        failed: 13,
      },
    },
    campaignId: '42',
    campaignName: 'Ramadan Offers',
  },
};

/** From standard/flow-session-completed.json. */
const platformFlowSessionEvent: PlatformFlowSessionEvent = {
  specversion: '1.0',
  id: '0b407a62-fcea-547b-ace5-daa68641ccee',
  source: 'switchboard/standard/src_cunnekt_platform_acme',
  type: 'platform.flow_session.completed',
  time: '2026-11-20T09:30:00Z',
  subject: 'sess_51c2d8',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'platform',
  environment: 'production',
  provider: 'standard',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    event: 'flow_session.completed',
    payload: {
      session_id: 'sess_51c2d8',
      flow_id: 'flw_0a7e',
      flow_name: 'Lead qualification',
      contact_id: 'ct_88d1f0',
      contact_phone: '919812345678',
      outcome: 'qualified',
    },
    sessionId: 'sess_51c2d8',
    flowId: 'flw_0a7e',
    flowName: 'Lead qualification',
    contactId: 'ct_88d1f0',
    contactPhone: '919812345678',
    raw: {
      type: 'flow_session.completed',
      timestamp: '2026-11-20T09:30:00Z',
      data: {
        session_id: 'sess_51c2d8',
        flow_id: 'flw_0a7e',
        flow_name: 'Lead qualification',
        contact_id: 'ct_88d1f0',
        contact_phone: '919812345678',
        outcome: 'qualified',
      },
    },
  },
};

/** From standard/contact-created.json. */
const platformContactEvent: PlatformContactEvent = {
  specversion: '1.0',
  id: '364023f4-42bf-508d-ad6b-c9c93661e58e',
  source: 'switchboard/standard/src_cunnekt_platform_acme',
  type: 'platform.contact.created',
  time: '2026-11-20T09:16:00Z',
  subject: 'ct_88d1f0',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'platform',
  environment: 'production',
  provider: 'standard',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    event: 'contact.created',
    payload: {
      contact_id: 'ct_88d1f0',
      phone: '919812345678',
      name: 'Priya Sharma',
      tags: ['black-friday', 'lead'],
    },
    contactId: 'ct_88d1f0',
    contactPhone: '919812345678',
    contactName: 'Priya Sharma',
    raw: {
      type: 'contact.created',
      timestamp: '2026-11-20T09:16:00Z',
      data: {
        contact_id: 'ct_88d1f0',
        phone: '919812345678',
        name: 'Priya Sharma',
        tags: ['black-friday', 'lead'],
      },
    },
  },
};

/** From standard/conversation-assigned.json. */
const platformConversationEvent: PlatformConversationEvent = {
  specversion: '1.0',
  id: '160ad025-8d6b-5e12-82fa-42d11c6ca67a',
  source: 'switchboard/standard/src_cunnekt_platform_acme',
  type: 'platform.conversation.assigned',
  time: '2026-11-20T09:45:00Z',
  subject: 'cnv_3f9a12',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'platform',
  environment: 'production',
  provider: 'standard',
  rawid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  channel: 'whatsapp',
  data: {
    event: 'assignment.updated',
    payload: {
      conversation_id: 'cnv_3f9a12',
      contact_phone: '919812345678',
      assignee_id: 'agent_17',
      assignee_name: 'Rahul Verma',
      team: 'Sales',
    },
    conversationId: 'cnv_3f9a12',
    contactId: null,
    contactPhone: '919812345678',
    status: null,
    assigneeId: 'agent_17',
    assigneeName: 'Rahul Verma',
    raw: {
      type: 'assignment.updated',
      timestamp: '2026-11-20T09:45:00Z',
      data: {
        conversation_id: 'cnv_3f9a12',
        contact_phone: '919812345678',
        assignee_id: 'agent_17',
        assignee_name: 'Rahul Verma',
        team: 'Sales',
      },
    },
  },
};

/** A test Switchboard's delivery service sends to one subscription (no raw webhook, no subject). */
const webhookTestEvent: WebhookTestEvent = {
  specversion: '1.0',
  id: 'evt_test_9d2f41',
  source: 'switchboard/delivery',
  type: 'webhook.test',
  time: '2026-03-10T12:00:00Z',
  datacontenttype: 'application/json',
  businessid: 'biz_acme',
  topic: 'messages',
  environment: 'production',
  provider: 'switchboard',
  data: { subscriptionId: 'sub_acme_messages', requestId: 'req_41c7' },
};

/** A valid example of every canonical event schema, by schema name. */
export const eventExamples = {
  MessageReceivedEvent: messageReceivedEvent,
  MessageEchoedEvent: messageEchoedEvent,
  MessageStatusUpdatedEvent: messageStatusUpdatedEvent,
  ErrorReportedEvent: errorReportedEvent,
  TemplateStatusChangedEvent: templateStatusChangedEvent,
  TemplateQualityChangedEvent: templateQualityChangedEvent,
  TemplateCategoryChangedEvent: templateCategoryChangedEvent,
  AccountQualityChangedEvent: accountQualityChangedEvent,
  AccountUpdatedEvent: accountUpdatedEvent,
  AccountAlertEvent: accountAlertEvent,
  UserPreferencesChangedEvent: userPreferencesChangedEvent,
  FlowEvent: flowEvent,
  CallEvent: callEvent,
  ChangeUnrecognizedEvent: changeUnrecognizedEvent,
  PlatformCampaignEvent: platformCampaignEvent,
  PlatformFlowSessionEvent: platformFlowSessionEvent,
  PlatformContactEvent: platformContactEvent,
  PlatformConversationEvent: platformConversationEvent,
  WebhookTestEvent: webhookTestEvent,
};
