import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DataKeysEnv,
  type SecretBox,
  secretContext,
  type SubscriptionRecord,
} from '@switchboard/contracts';
import { TestReceiver, uniqueName } from '@switchboard/testing';
import { Webhook } from 'standardwebhooks';
import { cloudEvent, subscriptionRecord } from '../../test/builders';
import { DeliveryTestBed } from '../../test/delivery-test-bed';
import { SubscriptionRegistry } from './subscription-registry';

const dataKey = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

/** The record as the subscriptions service publishes it: signing secrets sealed. */
function sealed(box: SecretBox, record: SubscriptionRecord): SubscriptionRecord {
  return {
    ...record,
    secrets: record.secrets.map((s) => ({
      ...s,
      value: box.seal(s.value, secretContext(record.id, s.id)),
    })),
  };
}

describe('subscriptions with sealed signing secrets (real Kafka and PostgreSQL)', () => {
  const bed = new DeliveryTestBed();
  const receiver = new TestReceiver();
  const previous = dataKey('k-previous');
  const current = dataKey('k-current');
  const environment = process.env.DATA_KEYS;
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    await bed.setUp();
    await receiver.start();
    // delivery holds the current data key and the one before it, as during a key rotation
    process.env.DATA_KEYS = `${current},${previous}`;
    app = await bed.startApp();
  });

  afterAll(async () => {
    process.env.DATA_KEYS = environment;
    await app?.close();
    await receiver.stop();
    await bed.tearDown();
  });

  it('signs with secrets sealed under the current or the previous data key', async () => {
    // given two subscriptions whose secrets arrive sealed, one under each key
    const plain = [previous, current].map((key) => ({
      key,
      path: uniqueName('hook'),
      record: subscriptionRecord({ businessId: uniqueName('biz') }),
    }));
    for (const p of plain) p.record = { ...p.record, address: receiver.url(p.path) };
    await bed.applySubscriptions(
      app!,
      ...plain.map((p) => sealed(DataKeysEnv.parse(p.key), p.record)),
    );

    // then delivery holds each secret opened, once per record version
    const registry = app!.get(SubscriptionRegistry);
    for (const { record } of plain) {
      expect(registry.get(record.id)?.record.secrets).toEqual(record.secrets);
    }

    // when an event for each is published
    const events = plain.map(({ record }) =>
      cloudEvent({ businessid: record.businessId, topic: record.topic }),
    );
    await bed.publishEvents(...events);

    // then each endpoint gets it signed with its secret in clear
    for (const [i, { path, record }] of plain.entries()) {
      const [request] = await receiver.waitFor(path, 1);
      expect(new Webhook(record.secrets[0]!.value).verify(request!.body, request!.headers)).toEqual(
        events[i],
      );
    }
  });
});
