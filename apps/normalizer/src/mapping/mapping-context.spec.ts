import { envelopeOf } from '../../test/mapping';
import { type DraftData, MappingContext } from './mapping-context';

const where = { time: null, subject: null, sourceKey: null, naturalKey: null, at: [] } as const;

const template: DraftData<'whatsapp.template.status_changed'> = {
  templateId: '1',
  templateName: 'order_update',
  language: 'en_US',
  wabaId: '102290129340398',
  event: 'APPROVED',
  reason: null,
  category: null,
  raw: {},
};

describe(MappingContext.name, () => {
  it('types each draft by its event type: a wrong field or value does not compile', () => {
    // given
    const ctx = new MappingContext(envelopeOf('meta', '{}'));

    // when a mapper builds a field its event type does not have (the type check of this file
    // fails should it compile: zod would silently strip the field at run time)
    ctx.emit({
      type: 'whatsapp.template.status_changed',
      // @ts-expect-error templteName is not a field of whatsapp.template.status_changed
      data: { ...template, templteName: 'order_update' },
      ...where,
    });
    // or a value of another type (the schema would dead-letter it at run time)
    ctx.emit({
      type: 'whatsapp.message.status_updated',
      data: {
        messageId: 'wamid.1',
        // @ts-expect-error a status is one of the canonical statuses
        status: 'bogus',
        providerStatus: 'bogus',
        recipientId: null,
        business: null,
        timestamp: '2026-03-10T11:30:00Z',
        conversation: null,
        pricing: null,
        errors: [],
        callbackData: null,
      },
      ...where,
    });
    // while a value the provider did not send may be null, for the schema to decide
    ctx.emit({
      type: 'whatsapp.template.status_changed',
      data: { ...template, templateId: null },
      ...where,
    });

    // then
    const result = ctx.result();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.events.map((e) => e.type)).toEqual([
      'whatsapp.template.status_changed',
      'whatsapp.template.status_changed',
    ]);
    expect(result.events[0]?.data).not.toHaveProperty('templteName');
    expect(result.failures.map((f) => f.issues[0]?.path.join('.'))).toEqual(['data.status']);
  });
});
