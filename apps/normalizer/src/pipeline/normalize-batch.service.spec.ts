import { encode, InboundRawTopic, type DeadLetter } from '@switchboard/contracts';
import { Registry } from 'prom-client';
import { envelopeOf } from '../../test/mapping';
import type { AuditBatch, AuditedEvent, AuditLogRepository } from './audit-log.repository';
import type { EventPublisher } from './event.publisher';
import { NormalizeBatchService } from './normalize-batch.service';
import { NormalizerMetrics } from './normalizer.metrics';

/** A Meta webhook carrying `count` inbound text messages: one canonical event each. */
function metaWebhook(count: number, seed: string): string {
  const messages = Array.from({ length: count }, (_, i) => ({
    from: '15551234567',
    id: `wamid.${seed}-${i}`,
    timestamp: '1773142200',
    type: 'text',
    text: { body: `hello ${i}` },
  }));
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Ana' }, wa_id: '15551234567' }],
              messages,
            },
          },
        ],
      },
    ],
  });
}

/** The service over an audit log and a publisher that keep what they are given. */
function service(maxEventsPerWebhook?: number) {
  const recorded: AuditBatch[] = [];
  const published: { events: AuditedEvent[]; deadLetters: DeadLetter[] }[] = [];
  const auditLog = {
    record: async (batch: AuditBatch) => {
      recorded.push(batch);
      return batch.events;
    },
  } as unknown as AuditLogRepository;
  const publisher = {
    publish: async (events: AuditedEvent[], deadLetters: DeadLetter[]) => {
      published.push({ events, deadLetters });
    },
  } as unknown as EventPublisher;
  const metrics = new NormalizerMetrics(new Registry());
  return {
    batches: new NormalizeBatchService(auditLog, publisher, metrics, maxEventsPerWebhook),
    recorded,
    published,
  };
}

const record = (body: string, id: string, offset: number) => ({
  topic: InboundRawTopic.name,
  partition: 0,
  offset: String(offset),
  value: encode(InboundRawTopic, envelopeOf('meta', body, { id })),
});

describe(NormalizeBatchService.name, () => {
  const small = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const large = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

  it('dead-letters a webhook with more events than the limit whole, and publishes the others', async () => {
    // given a limit of 10 events per webhook
    const { batches, recorded, published } = service(10);

    // when a batch holds a webhook of 3 messages and one of 11
    const result = await batches.process([
      record(metaWebhook(3, 'a'), small, 0),
      record(metaWebhook(11, 'b'), large, 1),
    ]);

    // then the 3 events are published, the 11 are not, and the large webhook is dead-lettered
    // with why, its raw envelope stored in the audit log beside its dead letter
    expect(result).toEqual({ published: 3, deadLettered: 1 });
    expect(published[0]!.events.map((e) => e.rawId)).toEqual([small, small, small]);
    const [deadLetter] = published[0]!.deadLetters;
    expect(deadLetter).toMatchObject({
      rawId: large,
      reason: {
        code: 'too_many_events',
        message:
          'the webhook holds 11 events; at most 10 per webhook (MAX_EVENTS_PER_WEBHOOK): nothing of it was published',
      },
      original: { kind: 'envelope' },
    });
    expect(
      recorded[0]!.raws.map((r) => [r.envelope.id, r.deadLetter?.reason.code ?? null]),
    ).toEqual([
      [small, null],
      [large, 'too_many_events'],
    ]);
  });

  it('takes a webhook of exactly the limit, and Meta batches of 1,000 by default', async () => {
    const { batches } = service(10);
    expect(await batches.process([record(metaWebhook(10, 'c'), small, 0)])).toEqual({
      published: 10,
      deadLettered: 0,
    });
    const defaults = service();
    expect(await defaults.batches.process([record(metaWebhook(1_000, 'd'), large, 0)])).toEqual({
      published: 1_000,
      deadLettered: 0,
    });
  });
});
