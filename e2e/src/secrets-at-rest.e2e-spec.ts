import { randomBytes } from 'node:crypto';
import { eventually, readTopicToEnd, testKafka, type TestReceiver } from '@switchboard/testing';
import { Client } from 'pg';
import { postMetaMessage } from './meta-business';
import { allServices, hooksPath, startReceiver, useStack } from './stack';

/**
 * No secret rests in clear anywhere the running stack writes: every table of every schema, every
 * record of every topic of the run, and every line each of the four services logged at debug
 * level, after the secrets were made, rotated and used (ingress verifying a provider's signature
 * and a Cunnekt token, delivery signing with a webhook's secrets).
 */
describe('secrets at rest across the running stack (built services, real Kafka and PostgreSQL)', () => {
  const stack = useStack('secrets');
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    await stack.start(allServices, { env: { LOG_LEVEL: 'debug' } });
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  const { admin } = stack;

  it('keeps every secret a business gave or got out of the tables, the topics and the logs of all four services', async () => {
    // given a business with a Meta source and a messages webhook, made with secrets of its own
    const appSecret = `meta-app-secret-${randomBytes(16).toString('hex')}`;
    const business = await stack.createMetaBusiness({
      name: 'Sealed Goods',
      appSecret,
      address: receiver.url(hooksPath),
    });
    const secrets = new Map<string, string>([
      ['operator key', stack.operatorKey],
      ['business API key', business.key['x-api-key']!],
      ['Meta app secret', appSecret],
      ['Meta verify token', business.source.verifyToken],
      ['webhook secret', business.webhook.secret.value],
    ]);

    // and the webhook's secret rotated (both live while the old one lasts)
    const rotated = await admin<{ secret: { value: string } }>(
      'POST',
      `${business.base}/webhooks/messages/rotate-secret`,
      business.key,
    );
    expect(rotated.status).toBe(200);
    secrets.set('rotated webhook secret', rotated.body.secret.value);

    // and a Cunnekt source that authenticates with a static token
    const token = `cunnekt-token-${randomBytes(16).toString('hex')}`;
    const cunnekt = await admin<{ webhookUrl: string }>(
      'POST',
      `${business.base}/sources`,
      business.key,
      {
        provider: 'cunnekt',
        events: 'platform',
        environment: 'sandbox',
        token,
      },
    );
    expect(cunnekt.status).toBe(201);
    secrets.set('Cunnekt token', token);

    // when a signed Meta webhook flows to the subscriber (ingress verifies it with the app
    // secret, delivery signs it with both live webhook secrets)
    const { wamid, status } = await postMetaMessage(business.source.webhookUrl, appSecret);
    expect(status).toBe(200);
    await eventually(() => receiver.requests.find((r) => r.body.includes(wamid)), {
      timeoutMs: 30_000,
      what: 'the message at the subscriber',
    });

    // and Cunnekt posts a platform event with its token, which ingress takes
    const platformEvent = Buffer.from(
      JSON.stringify({ event: 'template.approved', id: `evt-${randomBytes(6).toString('hex')}` }),
    );
    await eventually(
      async () => {
        const posted = await fetch(cunnekt.body.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: platformEvent,
        });
        return posted.status === 200 ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'ingress to take the Cunnekt webhook' },
    );

    // then no secret is in any row of any table
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    let tables: string;
    try {
      const names = await db.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
      );
      const dumps: string[] = [];
      for (const { schema, name } of names.rows) {
        const rows = await db.query<{ row: string }>(
          `SELECT t::text AS row FROM "${schema}"."${name}" t`,
        );
        dumps.push(...rows.rows.map((r) => `${schema}.${name}: ${r.row}`));
      }
      tables = dumps.join('\n');
    } finally {
      await db.end();
    }
    // (the scan reads what the run wrote: the raw webhook, the event, the sealed secrets)
    expect(tables).toContain(wamid);
    expect(tables).toContain('enc.v1.');

    // and none is in any record of any topic of the run
    const kafka = testKafka();
    const topicAdmin = kafka.admin();
    await topicAdmin.connect();
    let topics: string[];
    try {
      topics = (await topicAdmin.listTopics()).filter((t) => t.startsWith(stack.prefix));
    } finally {
      await topicAdmin.disconnect();
    }
    const records: string[] = [];
    for (const topic of topics) {
      for (const record of await readTopicToEnd(kafka, topic)) {
        records.push(`${topic}: ${record.key ?? ''} ${record.value?.toString('latin1') ?? ''}`);
      }
    }
    const onTopics = records.join('\n');
    expect(onTopics).toContain(wamid);
    expect(onTopics).toContain('enc.v1.');

    // and none is in any line any service logged
    const logs = allServices.map((name) => `${name}: ${stack.service(name).logs}`).join('\n');
    expect(logs.split('\n').length).toBeGreaterThan(allServices.length * 5);

    // (a Standard Webhooks secret is also looked for without its whsec_ prefix: its key bytes)
    for (const [what, value] of [...secrets]) {
      if (value.startsWith('whsec_')) secrets.set(`${what} (key part)`, value.slice(6));
    }
    const found = [...secrets].flatMap(([what, value]) =>
      [
        tables.includes(value) ? `${what} in a table` : undefined,
        onTopics.includes(value) ? `${what} on a topic` : undefined,
        logs.includes(value) ? `${what} in a log line` : undefined,
      ].filter((place) => place !== undefined),
    );
    expect(found).toEqual([]);
  });
});
