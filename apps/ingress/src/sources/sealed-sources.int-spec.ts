import { randomBytes } from 'node:crypto';
import {
  ConfigTopic,
  configKey,
  DataKeysEnv,
  encode,
  type SecretBox,
  secretContext,
  type SourceRecord,
  verifyTokenContext,
} from '@switchboard/contracts';
import { eventually } from '@switchboard/testing';
import { IngressUnderTest } from '../../test/ingress-app';
import { metaHeaders, source } from '../../test/signing';
import { SourceRegistry } from './source-registry';

const dataKey = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

/** The record as the subscriptions service publishes it: secrets and verify token sealed. */
function sealed(box: SecretBox, record: SourceRecord): SourceRecord {
  return {
    ...record,
    secrets: record.secrets.map((s) => ({
      ...s,
      value: box.seal(s.value, secretContext(record.id, s.id)),
    })),
    verifyToken:
      record.verifyToken === null
        ? null
        : box.seal(record.verifyToken, verifyTokenContext(record.id)),
  };
}

describe('sources with sealed secrets (real Kafka)', () => {
  const ingress = new IngressUnderTest();
  const previous = dataKey('k-previous');
  const current = dataKey('k-current');
  const environment = process.env.DATA_KEYS;

  beforeAll(async () => {
    // ingress holds the current data key and the one before it, as during a key rotation
    process.env.DATA_KEYS = `${current},${previous}`;
    await ingress.start();
  });
  afterAll(async () => {
    process.env.DATA_KEYS = environment;
    await ingress.stop();
  });

  /** Publishes records to the config topic without waiting for ingress to hold them. */
  async function publish(...records: SourceRecord[]): Promise<void> {
    const producer = ingress.kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: ingress.topic('config'),
        messages: records.map((r) => ({ key: configKey(r), value: encode(ConfigTopic, r) })),
      });
    } finally {
      await producer.disconnect();
    }
  }

  function post(record: SourceRecord, secret: string) {
    const body = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [] }));
    return ingress.inject({
      method: 'POST',
      url: `/webhooks/meta/${record.id}`,
      headers: metaHeaders(secret, body),
      payload: body,
    });
  }

  function handshake(record: SourceRecord, token: string) {
    return ingress.inject({
      method: 'GET',
      url: `/webhooks/meta/${record.id}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=42`,
    });
  }

  it('verifies with secrets sealed under the current or the previous data key', async () => {
    // given two Meta sources whose secrets and verify tokens arrive sealed, one under each key
    const plain = [
      source({ provider: 'meta', verifyToken: `token-${randomBytes(8).toString('hex')}` }),
      source({ provider: 'meta', verifyToken: `token-${randomBytes(8).toString('hex')}` }),
    ] as const;
    await ingress.publishSources(
      sealed(DataKeysEnv.parse(previous), plain[0]),
      sealed(DataKeysEnv.parse(current), plain[1]),
    );

    for (const record of plain) {
      const secret = record.secrets[0]!.value;
      const published = ingress.app.get(SourceRegistry).get(record.id)!;

      // then webhooks signed with the secret in clear are accepted, and the handshake answers
      expect((await post(record, secret)).statusCode).toBe(200);
      const answered = await handshake(record, record.verifyToken!);
      expect({ status: answered.statusCode, body: answered.body }).toEqual({
        status: 200,
        body: '42',
      });

      // and the sealed form itself is worth nothing to a sender
      expect(published.secrets[0]!.value).toBe(secret);
      const sealedValue = sealed(DataKeysEnv.parse(current), record).secrets[0]!.value;
      expect((await post(record, sealedValue)).statusCode).toBe(401);
    }
  });

  it('skips a record whose secrets no configured key opens, and applies the next one', async () => {
    // given a source in force
    const box = DataKeysEnv.parse(current);
    const first = source({ provider: 'meta' });
    await ingress.publishSources(sealed(box, first));

    // when a newer version arrives sealed under a key ingress does not hold, then a newer one
    // under the current key with another secret
    const unknown = { ...sealed(DataKeysEnv.parse(dataKey('k-unknown')), first), version: 2 };
    const third: SourceRecord = {
      ...first,
      secrets: [{ ...first.secrets[0]!, id: 'third', value: 'third-app-secret' }],
      version: 3,
    };
    await publish(unknown, sealed(box, third));

    // then the consumer went on: the third version is in force, its secret verifies
    await eventually(
      () => (ingress.app.get(SourceRegistry).get(first.id)?.version === 3 ? true : undefined),
      { what: 'the third version applied' },
    );
    expect((await post(third, 'third-app-secret')).statusCode).toBe(200);
    expect((await post(third, first.secrets[0]!.value)).statusCode).toBe(401);
  });
});
