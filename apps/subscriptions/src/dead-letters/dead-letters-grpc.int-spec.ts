import { status } from '@grpc/grpc-js';
import { eventually } from '@switchboard/testing';
import {
  itemBody,
  publishOutboundDeadLetter,
  seedDeadLetters,
  type SeededDeadLetters,
  sentCommands,
  wholeBody,
} from '../../test/dead-letters-fixture';
import { AdminGrpcClient, grpcFailure } from '../../test/grpc-client';
import { SubscriptionsUnderTest } from '../../test/subscriptions-app';
import { DeadLettersGrpcController } from './dead-letters-grpc.controller';

interface CreatedBusiness {
  id: string;
  apiKey: { key: string };
}

interface ProtoDeadLetter {
  id: string;
  reason: { code: string; message: string };
  rawWebhookId: string;
  pointer?: string;
  replayState: string;
  lastReplay?: { requestId: string; outcome: string; eventsPublished: number };
}

describe(DeadLettersGrpcController.name, () => {
  const service = new SubscriptionsUnderTest();
  let client: AdminGrpcClient;
  let a: CreatedBusiness;
  let b: CreatedBusiness;
  let aKey: Record<string, string>;
  let seeded: SeededDeadLetters;

  beforeAll(async () => {
    await service.start();
    client = new AdminGrpcClient(service.grpcAddress);
    const operator = service.operator();
    a = await client.call<CreatedBusiness>('Businesses', 'CreateBusiness', { name: 'A' }, operator);
    b = await client.call<CreatedBusiness>('Businesses', 'CreateBusiness', { name: 'B' }, operator);
    aKey = { 'x-api-key': a.apiKey.key };
    seeded = await seedDeadLetters(service, a.id, b.id);
  });

  afterAll(async () => {
    client?.close();
    await service.stop();
  });

  it('lists and gets inbound dead letters like REST, per business', async () => {
    const list = await client.call<{ items: ProtoDeadLetter[]; nextCursor?: string }>(
      'DeadLetters',
      'ListInboundDeadLetters',
      { businessId: a.id },
      aKey,
    );
    expect(list.items).toEqual([
      expect.objectContaining({
        id: seeded.item.id,
        reason: { code: 'payload_schema_violation', message: 'statuses[3].status is not a string' },
        rawWebhookId: seeded.item.rawId,
        pointer: '/entry/0/changes/0/value/statuses/3',
        replayState: 'never_replayed',
      }),
      expect.objectContaining({
        id: seeded.whole.id,
        replayState: 'replayed',
        lastReplay: expect.objectContaining({
          requestId: seeded.replayRequestId,
          outcome: 'published',
          eventsPublished: 6,
        }),
      }),
    ]);
    expect(list.items[0]!.lastReplay).toBeUndefined();
    expect(list.nextCursor).toBeUndefined();
    const page = await client.call<{ items: ProtoDeadLetter[]; nextCursor?: string }>(
      'DeadLetters',
      'ListInboundDeadLetters',
      { businessId: a.id, reason: 'too_many_events' },
      aKey,
    );
    expect(page.items.map((d) => d.id)).toEqual([seeded.whole.id]);

    const whole = await client.call<{
      deadLetter: ProtoDeadLetter;
      body: string;
      bodyEncoding: string;
    }>(
      'DeadLetters',
      'GetInboundDeadLetter',
      { businessId: a.id, deadLetterId: seeded.whole.id },
      aKey,
    );
    expect(whole).toMatchObject({ bodyEncoding: 'utf8', body: wholeBody });
    const item = await client.call<{
      itemJson: string;
      bodyEncoding: string;
      body: string;
      issues: unknown[];
    }>(
      'DeadLetters',
      'GetInboundDeadLetter',
      { businessId: a.id, deadLetterId: seeded.item.id },
      aKey,
    );
    expect(item).toMatchObject({
      itemJson: JSON.stringify({ id: 'wamid.X', status: 7 }),
      bodyEncoding: 'base64',
      body: itemBody.toString('base64'),
      issues: [{ path: ['status'], message: 'Expected string', code: 'invalid_type' }],
    });

    expect(
      await grpcFailure(
        client.call(
          'DeadLetters',
          'GetInboundDeadLetter',
          { businessId: a.id, deadLetterId: seeded.other.id },
          aKey,
        ),
      ),
    ).toMatchObject({ code: status.NOT_FOUND, errorCode: 'dead_letter_not_found' });
    expect(
      await grpcFailure(
        client.call('DeadLetters', 'ListInboundDeadLetters', { businessId: b.id }, aKey),
      ),
    ).toMatchObject({ code: status.NOT_FOUND });
    expect(
      await grpcFailure(
        client.call(
          'DeadLetters',
          'ListInboundDeadLetters',
          { businessId: a.id, cursor: 'abc' },
          aKey,
        ),
      ),
    ).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'cursor: not a cursor this API gave',
    });
  });

  it('replays one dead letter and a time range, sending replay commands', async () => {
    const one = await client.call<{ requestId: string; rawWebhooks: number }>(
      'DeadLetters',
      'ReplayInboundDeadLetter',
      { businessId: a.id, deadLetterId: seeded.whole.id },
      aKey,
    );
    expect(one.rawWebhooks).toBe(1);
    const range = await client.call<{ requestId: string; rawWebhooks: number }>(
      'DeadLetters',
      'ReplayInboundDeadLetters',
      { businessId: a.id, since: '2026-03-10T00:00:00Z', until: '2026-03-11T00:00:00Z' },
      aKey,
    );
    expect(range.rawWebhooks).toBe(2);
    const sent = await sentCommands(service);
    expect(sent.filter((c) => c.requestId === one.requestId).map((c) => c.rawId)).toEqual([
      seeded.whole.rawId,
    ]);
    expect(
      sent
        .filter((c) => c.requestId === range.requestId)
        .map((c) => c.rawId)
        .sort(),
    ).toEqual([seeded.whole.rawId, seeded.item.rawId].sort());
    expect(sent.every((c) => c.businessId === a.id)).toBe(true);

    expect(
      await grpcFailure(
        client.call(
          'DeadLetters',
          'ReplayInboundDeadLetter',
          { businessId: b.id, deadLetterId: seeded.other.id },
          aKey,
        ),
      ),
    ).toMatchObject({ code: status.NOT_FOUND });
    expect(
      await grpcFailure(
        client.call('DeadLetters', 'ReplayInboundDeadLetters', { businessId: a.id }, aKey),
      ),
    ).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('since:') });
  });

  it('lists and gets outbound dead letters', async () => {
    await publishOutboundDeadLetter(service, a.id, 'sub_a_messages', 'dlv_dead', 'dead_lettered');
    const list = await eventually(
      async () => {
        const page = await client.call<{ items?: { id: string; reason: unknown }[] }>(
          'DeadLetters',
          'ListOutboundDeadLetters',
          { businessId: a.id },
          aKey,
        );
        return page.items?.length === 1 ? page.items : undefined;
      },
      { what: 'the outbound dead letter' },
    );
    expect(list[0]).toMatchObject({
      id: 'dlv_dead',
      reason: { code: 'delivery_failed', message: 'HTTP 503' },
    });
    const one = await client.call<{ id: string; statusCode: number; attemptCount: number }>(
      'DeadLetters',
      'GetOutboundDeadLetter',
      { businessId: a.id, deadLetterId: 'dlv_dead' },
      aKey,
    );
    expect(one).toMatchObject({ id: 'dlv_dead', statusCode: 503, attemptCount: 12 });
    expect(
      await grpcFailure(
        client.call(
          'DeadLetters',
          'GetOutboundDeadLetter',
          { businessId: b.id, deadLetterId: 'dlv_dead' },
          { 'x-api-key': b.apiKey.key },
        ),
      ),
    ).toMatchObject({ code: status.NOT_FOUND });
  });
});
