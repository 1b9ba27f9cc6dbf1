import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import {
  type ConfigRecord,
  DataKeysEnv,
  openSourceRecord,
  openSubscriptionRecord,
  SecretBox,
} from '@switchboard/contracts';
import { eventually, testDataKeys } from '@switchboard/testing';
import { AdminGrpcClient, grpcFailure } from '../../test/grpc-client';
import { latestByKey, SubscriptionsUnderTest } from '../../test/subscriptions-app';
import type { CreatedBusiness } from '../businesses/businesses.schemas';
import type { CreatedSource, RotatedSourceSecret } from '../sources/sources.schemas';
import type { CreatedWebhook, RotatedWebhookSecret } from '../webhooks/webhooks.schemas';
import type { DataKeyRotation } from './data-keys.schemas';

/**
 * Everything the process writes to its standard output and error (pino writes JSON lines to
 * file descriptor 1 with `fs.write`/`fs.writeSync`), kept while the test runs.
 */
function captureOutput(): { text(): string; stop(): void } {
  const chunks: string[] = [];
  const keep = (fd: unknown, data: unknown) => {
    if (fd !== 1 && fd !== 2) return;
    chunks.push(typeof data === 'string' ? data : Buffer.from(data as Uint8Array).toString());
  };
  const writeSync = fs.writeSync.bind(fs);
  const write = fs.write.bind(fs);
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const spies = [
    jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: unknown, ...rest: []) => {
      keep(fd, data);
      return (writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
    }) as unknown as typeof fs.writeSync),
    jest.spyOn(fs, 'write').mockImplementation(((fd: number, data: unknown, ...rest: []) => {
      keep(fd, data);
      return (write as (...args: unknown[]) => void)(fd, data, ...rest);
    }) as unknown as typeof fs.write),
    jest.spyOn(process.stdout, 'write').mockImplementation(((data: unknown, ...rest: []) => {
      keep(1, data);
      return (stdoutWrite as (...args: unknown[]) => boolean)(data, ...rest);
    }) as typeof process.stdout.write),
  ];
  return { text: () => chunks.join(''), stop: () => spies.forEach((s) => s.mockRestore()) };
}

const keyOf = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

describe('secrets sealed at rest and on the config topic (real PostgreSQL and Kafka)', () => {
  const service = new SubscriptionsUnderTest();
  let output: ReturnType<typeof captureOutput>;
  /** Every secret value the test handed to or got from the admin API, in clear. */
  const secrets = new Set<string>();
  let business: CreatedBusiness;
  let base: string;
  let key: Record<string, string>;

  beforeAll(async () => {
    output = captureOutput();
    await service.start({ LOG_LEVEL: 'trace' });
    business = await service.createBusiness({ name: 'Sealed Co' });
    base = `/v1/businesses/${business.id}`;
    key = { 'x-api-key': business.apiKey.key };
    secrets.add(business.apiKey.key);
    secrets.add(service.operatorKey);
  });
  afterAll(async () => {
    output?.stop();
    await service.stop();
  });

  async function call<T>(method: 'POST' | 'PATCH', url: string, payload?: unknown): Promise<T> {
    const res = await service.request<T>({ method, url: `${base}${url}`, headers: key, payload });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.text}`);
    return res.body;
  }

  async function allPublished(): Promise<void> {
    await eventually(
      async () => {
        const [row] = await service.query<{ count: string }>(
          'SELECT count(*) AS count FROM outbox WHERE published_at IS NULL',
        );
        return Number(row!.count) === 0 ? true : undefined;
      },
      { what: 'every outbox row published' },
    );
  }

  /** Every row of every table of the service's schema, as PostgreSQL prints it. */
  async function everyRow(): Promise<string> {
    const tables = await service.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'subscriptions' AND table_type = 'BASE TABLE'`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['sources', 'subscriptions', 'outbox', 'api_keys']),
    );
    const rows: string[] = [];
    for (const { table_name } of tables) {
      const result = await service.query<{ row: string }>(
        `SELECT t::text AS row FROM subscriptions."${table_name}" t`,
      );
      rows.push(...result.map((r) => r.row));
    }
    return rows.join('\n');
  }

  /** The raw bytes of every record on every topic of this instance. */
  async function everyTopicRecord(): Promise<Buffer> {
    const admin = service.kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(service.prefix));
    await admin.disconnect();
    expect(topics).toContain(service.configTopic);
    const bytes: Buffer[] = [];
    for (const topic of topics) {
      // (a topic the service created moments ago may not have its leader yet)
      const messages = await eventually(() => service.readTopic(topic), {
        what: `${topic} read`,
      });
      for (const m of messages) {
        bytes.push(Buffer.from(m.key ?? ''), m.value ?? Buffer.alloc(0));
      }
    }
    return Buffer.concat(bytes);
  }

  function secretValues(record: ConfigRecord): string[] {
    const values = record.secrets.map((s) => s.value);
    if (record.kind === 'source' && record.verifyToken !== null) values.push(record.verifyToken);
    return values;
  }

  it('keeps every secret out of the tables, the config topic and the log lines', async () => {
    // given sources of every provider and webhooks, with secrets given and generated, rotated
    const meta = await call<CreatedSource>('POST', '/sources', {
      provider: 'meta',
      appSecret: 'meta-app-secret-sealed-1',
    });
    const rotatedMeta = await call<RotatedSourceSecret>(
      'POST',
      `/sources/${meta.id}/rotate-secret`,
      { secret: 'meta-app-secret-sealed-2' },
    );
    const created = [
      meta,
      await call<CreatedSource>('POST', '/sources', {
        provider: 'connectly',
        secret: 'connectly-secret-sealed',
      }),
      await call<CreatedSource>('POST', '/sources', {
        provider: 'cubeconnect',
        secret: 'cubeconnect-secret-sealed',
      }),
      await call<CreatedSource>('POST', '/sources', { provider: 'onprem' }),
      await call<CreatedSource>('POST', '/sources', { provider: 'standard' }),
      await call<CreatedSource>('POST', '/sources', {
        provider: 'cunnekt',
        events: 'channel',
        environment: 'sandbox',
        token: 'cunnekt-sandbox-token-sealed',
      }),
    ];
    for (const source of created) {
      secrets.add(source.secret.value);
      if (source.verifyToken) secrets.add(source.verifyToken);
    }
    secrets.add(rotatedMeta.secret.value);
    const given = `whsec_${randomBytes(32).toString('base64')}`;
    const messages = await call<CreatedWebhook>('POST', '/webhooks', {
      topic: 'messages',
      address: 'https://127.0.0.1/sealed/messages',
      secret: given,
    });
    const templates = await call<CreatedWebhook>('POST', '/webhooks', {
      topic: 'templates',
      address: 'https://127.0.0.1/sealed/templates',
    });
    const rotatedHook = await call<RotatedWebhookSecret>(
      'POST',
      '/webhooks/messages/rotate-secret',
      {},
    );
    for (const value of [messages.secret.value, templates.secret.value, rotatedHook.secret.value]) {
      secrets.add(value);
    }
    expect(messages.secret.value).toBe(given);
    expect(secrets.size).toBe(13);
    await allPublished();

    // then no table holds any of them, in any form PostgreSQL prints
    const rows = await everyRow();
    expect(rows).toContain('enc.v1.');
    for (const secret of secrets)
      expect({ secret, inTables: rows.includes(secret) }).toEqual({ secret, inTables: false });

    // and no record on any topic does, in its raw bytes
    const records = await everyTopicRecord();
    expect(records.includes('enc.v1.')).toBe(true);
    for (const secret of secrets) {
      expect({ secret, onTopics: records.includes(secret) }).toEqual({ secret, onTopics: false });
    }

    // and no log line does, though the service logged at trace level all along
    const logs = output.text();
    expect(logs).toContain('"service":"subscriptions"');
    for (const secret of secrets)
      expect({ secret, inLogs: logs.includes(secret) }).toEqual({ secret, inLogs: false });

    // and the sealed records on the topic open, with the data key, to the secrets in force
    const box = DataKeysEnv.parse(testDataKeys());
    const opened = [...latestByKey(await service.readConfigTopic()).values()].map((r) =>
      r.kind === 'source' ? openSourceRecord(box, r) : openSubscriptionRecord(box, r),
    );
    expect(opened).toHaveLength(8);
    expect(new Set(opened.flatMap(secretValues))).toEqual(
      new Set([...secrets].filter((s) => s !== business.apiKey.key && s !== service.operatorKey)),
    );
  });

  it("keeps a Connectly registration's WebEngage token sealed at rest, out of topics and logs", async () => {
    // given a registration in Connectly's shape carrying a WebEngage token
    const token = `webengage-token-${randomBytes(8).toString('hex')}`;
    const res = await service.request<{ id: string }>({
      method: 'POST',
      url: `/v1/businesses/${business.id}/create/webhooks`,
      headers: key,
      payload: {
        topic: 'flows',
        address: 'https://127.0.0.1/sealed/connectly',
        type: 'webhook_type_unspecified',
        configuration: {
          webengageConfiguration: {
            webengageToken: token,
            webengageWebhookUrl: 'https://st.webengage.com/tracking/events',
          },
        },
      },
    });
    expect(res.statusCode).toBe(201);
    await allPublished();

    // then it is stored sealed, and opens with the data key to the token given
    const [row] = await service.query<{
      provider_settings: {
        connectly: { webengageConfiguration: { webengageToken: string } };
      };
    }>('SELECT provider_settings FROM subscriptions WHERE id = $1', [res.body.id]);
    const sealed = row!.provider_settings.connectly.webengageConfiguration.webengageToken;
    expect(SecretBox.isSealed(sealed)).toBe(true);
    const box = DataKeysEnv.parse(testDataKeys());
    expect(box.open(sealed, `${res.body.id}/webengage-token`)).toBe(token);
    // and no table, topic record or log line holds it in clear
    expect((await everyRow()).includes(token)).toBe(false);
    expect((await everyTopicRecord()).includes(token)).toBe(false);
    expect(output.text().includes(token)).toBe(false);
  });

  it('seals, at start, secrets stored in clear before, and republishes their records', async () => {
    // given a source and a webhook whose secrets were stored in clear (written before sealing)
    const source = await call<CreatedSource>('POST', '/sources', {
      provider: 'meta',
      appSecret: 'meta-app-secret-in-clear',
    });
    const hook = await call<CreatedWebhook>('POST', '/webhooks', {
      topic: 'calls',
      address: 'https://127.0.0.1/sealed/calls',
    });
    await service.close();
    await service.query(
      `UPDATE sources SET secrets = jsonb_set(secrets, '{0,value}', to_jsonb($2::text)),
       verify_token = $3 WHERE id = $1`,
      [source.id, 'meta-app-secret-in-clear', 'verify-token-in-clear'],
    );
    await service.query(
      `UPDATE subscriptions SET secrets = jsonb_set(secrets, '{0,value}', to_jsonb($2::text))
       WHERE id = $1`,
      [hook.id, hook.secret.value],
    );
    const [before] = await service.query<{ version: string }>(
      'SELECT version FROM sources WHERE id = $1',
      [source.id],
    );

    // when the service starts again
    await service.start({ LOG_LEVEL: 'trace' });
    await allPublished();

    // then both are sealed in the table, with a new version, and republished sealed
    const [row] = await service.query<{
      secrets: { value: string }[];
      verify_token: string;
      version: string;
    }>('SELECT secrets, verify_token, version FROM sources WHERE id = $1', [source.id]);
    expect(SecretBox.keyIdOf(row!.secrets[0]!.value)).toBe(
      DataKeysEnv.parse(testDataKeys()).currentKeyId,
    );
    expect(SecretBox.isSealed(row!.verify_token)).toBe(true);
    expect(Number(row!.version)).toBeGreaterThan(Number(before!.version));
    const rows = await everyRow();
    const records = await everyTopicRecord();
    for (const secret of ['meta-app-secret-in-clear', 'verify-token-in-clear', hook.secret.value]) {
      expect({
        secret,
        inTables: rows.includes(secret),
        onTopics: records.includes(secret),
      }).toEqual({ secret, inTables: false, onTopics: false });
    }
    const box = DataKeysEnv.parse(testDataKeys());
    const state = latestByKey(await service.readConfigTopic());
    const record = state.get(`source:${source.id}`);
    expect(record?.kind === 'source' && openSourceRecord(box, record).verifyToken).toBe(
      'verify-token-in-clear',
    );
    const sub = state.get(`subscription:${business.id}:calls`);
    expect(sub?.kind === 'subscription' && openSubscriptionRecord(box, sub).secrets[0]!.value).toBe(
      hook.secret.value,
    );
    expect(output.text()).toContain('Secrets stored in clear sealed and republished');
  });

  it('rotate-data-key seals every secret with the new key, once, and republishes', async () => {
    // given every secret sealed with the current key, and a new key added in front of it
    const previous = DataKeysEnv.parse(testDataKeys());
    const next = keyOf('k-next');
    const opened = async (box: SecretBox) =>
      [...latestByKey(await service.readConfigTopic()).values()]
        .map((r) =>
          r.kind === 'source' ? openSourceRecord(box, r) : openSubscriptionRecord(box, r),
        )
        .flatMap(secretValues)
        .sort();
    const before = await opened(previous);
    await service.restart({ LOG_LEVEL: 'warn', DATA_KEYS: `${next},${testDataKeys()}` });
    const grpc = new AdminGrpcClient(service.grpcAddress);
    try {
      // when a business key asks, then it is refused: only the operator rotates
      const refused = await service.request({
        method: 'POST',
        url: '/v1/admin/rotate-data-key',
        headers: key,
      });
      expect(refused.statusCode).toBe(403);

      // when the operator asks
      const rotated = await service.request<DataKeyRotation>({
        method: 'POST',
        url: '/v1/admin/rotate-data-key',
        headers: service.operator(),
      });

      // then every source and webhook was sealed again and republished
      // (with the WebEngage token a Connectly registration carried, which is on no record)
      const [counts] = await service.query<{ sources: string; webhooks: string; kept: string }>(
        `SELECT (SELECT count(*) FROM sources) AS sources,
                (SELECT count(*) FROM subscriptions) AS webhooks,
                (SELECT count(*) FROM subscriptions WHERE provider_settings
                   #> '{connectly,webengageConfiguration,webengageToken}' IS NOT NULL) AS kept`,
      );
      expect(Number(counts!.kept)).toBe(1);
      expect(rotated.statusCode).toBe(200);
      expect(rotated.body).toEqual({
        keyId: 'k-next',
        sources: Number(counts!.sources),
        webhooks: Number(counts!.webhooks),
        secrets: before.length + Number(counts!.kept),
        unreadable: [],
      });
      await allPublished();

      // and the tables and the latest records carry the new key id only, and open with it alone
      const stored = await service.query<{ value: string }>(
        `SELECT s->>'value' AS value FROM sources, jsonb_array_elements(secrets) s
         UNION ALL SELECT verify_token FROM sources WHERE verify_token IS NOT NULL
         UNION ALL SELECT s->>'value' FROM subscriptions, jsonb_array_elements(secrets) s
         UNION ALL SELECT provider_settings #>> '{connectly,webengageConfiguration,webengageToken}'
           FROM subscriptions WHERE provider_settings IS NOT NULL`,
      );
      expect(new Set(stored.map((s) => SecretBox.keyIdOf(s.value)))).toEqual(new Set(['k-next']));
      const newOnly = DataKeysEnv.parse(next);
      expect(await opened(newOnly)).toEqual(before);

      // and a second run, over REST or gRPC, finds nothing left to do
      const again = await service.request<DataKeyRotation>({
        method: 'POST',
        url: '/v1/admin/rotate-data-key',
        headers: service.operator(),
      });
      expect(again.body).toEqual({
        keyId: 'k-next',
        sources: 0,
        webhooks: 0,
        secrets: 0,
        unreadable: [],
      });
      expect(await grpc.call('DataKeys', 'RotateDataKey', {}, service.operator())).toEqual({
        keyId: 'k-next',
        sources: 0,
        webhooks: 0,
        secrets: 0,
        unreadable: [],
      });
      expect(await grpcFailure(grpc.call('DataKeys', 'RotateDataKey', {}, key))).toEqual(
        expect.objectContaining({ errorCode: 'operator_only' }),
      );
    } finally {
      grpc.close();
    }

    // when the service runs with a key that opens none of them, then rotating changes nothing
    // and names every record it could not open
    await service.restart({ LOG_LEVEL: 'warn', DATA_KEYS: keyOf('k-other') });
    const lost = await service.request<DataKeyRotation>({
      method: 'POST',
      url: '/v1/admin/rotate-data-key',
      headers: service.operator(),
    });
    expect(lost.body).toEqual(
      expect.objectContaining({ keyId: 'k-other', sources: 0, webhooks: 0, secrets: 0 }),
    );
    expect(lost.body.unreadable.sort()).toEqual(
      [...latestByKey(await service.readConfigTopic()).keys()].sort(),
    );
  });
});
