import { type EventSchemaName, examples } from '@switchboard/contracts';

import { mapFixture } from '../../test/mapping';
import { normalize } from './normalize';

/**
 * The contracts package documents every event type with an example (and its README shows them).
 * Each is what this normalizer makes of a fixture; this keeps them equal.
 */
const sources: [EventSchemaName, string][] = [
  ['MessageEchoedEvent', 'meta/smb-message-echoes.json'],
  ['MessageStatusUpdatedEvent', 'meta/status-sent.json'],
  ['ErrorReportedEvent', 'meta/change-level-errors.json'],
  ['TemplateStatusChangedEvent', 'meta/template-status-update.json'],
  ['TemplateQualityChangedEvent', 'meta/template-quality-update.json'],
  ['TemplateCategoryChangedEvent', 'meta/template-category-update.json'],
  ['AccountQualityChangedEvent', 'meta/phone-number-quality-update.json'],
  ['AccountUpdatedEvent', 'meta/phone-number-name-update.json'],
  ['AccountAlertEvent', 'meta/account-alerts.json'],
  ['UserPreferencesChangedEvent', 'meta/user-preferences.json'],
  ['FlowEvent', 'meta/flows-status-change.json'],
  ['CallEvent', 'meta/calls-connect.json'],
  ['ChangeUnrecognizedEvent', 'meta/unknown-field.json'],
  ['PlatformCampaignEvent', 'cubeconnect/campaign-completed.json'],
  ['PlatformFlowSessionEvent', 'standard/flow-session-completed.json'],
  ['PlatformContactEvent', 'standard/contact-created.json'],
  ['PlatformConversationEvent', 'standard/conversation-assigned.json'],
];

const sourceIds: Record<string, string> = {
  meta: 'src_meta_acme',
  cubeconnect: 'src_cubeconnect_acme',
  standard: 'src_cunnekt_platform_acme',
};

describe('contract examples', () => {
  it.each(sources)('%s is what %s maps to', (name, path) => {
    // when
    const events = mapFixture(path, {
      sourceId: sourceIds[path.split('/')[0] ?? ''],
      receivedAt: '2026-03-10T11:30:00.123Z',
    });

    // then
    expect(events).toEqual([examples[name]]);
  });

  it('MessageReceivedEvent is what the example raw envelope maps to', () => {
    expect(normalize(examples.RawInboundEnvelope)).toEqual({
      ok: true,
      events: [examples.MessageReceivedEvent],
      failures: [],
    });
  });
});
