import { z } from 'zod';

import { canonicalEventOf } from './define';
import { JsonObject, OptionalText } from './shared';

const template = {
  templateId: OptionalText.describe('message_template_id, as a string, digits exactly as sent'),
  templateName: OptionalText,
  language: OptionalText,
  wabaId: OptionalText,
};

const raw = JsonObject.describe('The change value (or provider event) exactly as sent');

export const TemplateStatusChangedData = z.object({
  ...template,
  event: z.string().min(1).describe('APPROVED, REJECTED, PAUSED, DISABLED, PENDING_DELETION, ...'),
  reason: OptionalText,
  category: OptionalText,
  rejectionInfo: JsonObject.nullable().optional(),
  otherInfo: JsonObject.nullable().optional(),
  disableInfo: JsonObject.nullable().optional(),
  raw,
});
export type TemplateStatusChangedData = z.infer<typeof TemplateStatusChangedData>;

export const TemplateStatusChangedEvent = canonicalEventOf(
  'whatsapp.template.status_changed',
  'templates',
  TemplateStatusChangedData,
  {
    title: 'TemplateStatusChangedEvent',
    description:
      'whatsapp.template.status_changed: a message template was reviewed or changed state',
  },
);
export type TemplateStatusChangedEvent = z.infer<typeof TemplateStatusChangedEvent>;

export const TemplateQualityChangedData = z.object({
  ...template,
  previousQualityScore: OptionalText,
  newQualityScore: z.string().min(1).describe('GREEN, YELLOW, RED or UNKNOWN'),
  raw,
});
export type TemplateQualityChangedData = z.infer<typeof TemplateQualityChangedData>;

export const TemplateQualityChangedEvent = canonicalEventOf(
  'whatsapp.template.quality_changed',
  'templates',
  TemplateQualityChangedData,
  {
    title: 'TemplateQualityChangedEvent',
    description: "whatsapp.template.quality_changed: a message template's quality score changed",
  },
);
export type TemplateQualityChangedEvent = z.infer<typeof TemplateQualityChangedEvent>;

export const TemplateCategoryChangedData = z.object({
  ...template,
  previousCategory: OptionalText,
  newCategory: OptionalText,
  correctCategory: OptionalText,
  raw,
});
export type TemplateCategoryChangedData = z.infer<typeof TemplateCategoryChangedData>;

export const TemplateCategoryChangedEvent = canonicalEventOf(
  'whatsapp.template.category_changed',
  'templates',
  TemplateCategoryChangedData,
  {
    title: 'TemplateCategoryChangedEvent',
    description: "whatsapp.template.category_changed: a message template's category changed",
  },
);
export type TemplateCategoryChangedEvent = z.infer<typeof TemplateCategoryChangedEvent>;
