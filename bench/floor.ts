/**
 * The floor: the hops Switchboard's design makes every webhook take, with none of Switchboard's
 * logic, as four processes run the way the services are (`bench/pipeline.ts` starts them in place
 * of the services when asked for the floor, and drives them with the same generator, receivers
 * and phases). What each does, and nothing more:
 *
 *   ingress     Fastify, HMAC-SHA256 check of `X-Hub-Signature-256` over the raw body, the body
 *               (base64) in a JSON envelope to the raw topic with acks=all, then 200
 *   normalizer  per consumer batch: parse envelopes and bodies, one INSERT of the raw rows and one
 *               event row each (JSON, as received), the events to the events topic, commit
 *   delivery    per consumer batch: one INSERT of a pending row per event, one signed POST per
 *               event to its business's endpoint, one UPDATE of the outcomes, the attempts to the
 *               attempts topic, commit
 *   log         per consumer batch of attempts: one INSERT into the delivery log
 *
 * No validation, mapping, matching, lanes, quotas, retries, health, fairness or tracing: what it
 * costs is what Kafka, PostgreSQL, HTTP and Node cost for these hops on this machine. Run as
 * `node --import tsx bench/floor.ts <role>` with `PORT` (readiness on /health/ready),
 * `KAFKA_BROKERS`, `FLOOR_PREFIX`, `DATABASE_URL` and `FLOOR_SOURCES` (JSON: source id →
 * business id, secret and endpoint URL).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { BatchingProducer } from '@switchboard/kafka';
import Fastify from 'fastify';
import { type EachBatchPayload, Kafka, logLevel } from 'kafkajs';
import { Pool as PgPool } from 'pg';
import { Pool } from 'undici';

export const floorRoles = ['ingress', 'normalizer', 'delivery', 'log'] as const;
export type FloorRole = (typeof floorRoles)[number];

export interface FloorSource {
  businessId: string;
  secret: string;
  url: string;
}

/** The floor's topics (under `FLOOR_PREFIX`), with the product's partition counts. */
export const floorTopics = { raw: 'floor.raw', events: 'floor.events', attempts: 'floor.attempts' };

/** Its tables, made by {@link createFloorTables}. */
export async function createFloorTables(databaseUrl: string): Promise<void> {
  const pg = new PgPool({ connectionString: databaseUrl, max: 1 });
  await pg.query(`
    CREATE TABLE IF NOT EXISTS floor_raw (id uuid PRIMARY KEY, source_id text, body bytea,
      received_at timestamptz);
    CREATE TABLE IF NOT EXISTS floor_events (id uuid PRIMARY KEY, raw_id uuid, event jsonb);
    CREATE TABLE IF NOT EXISTS floor_deliveries (id uuid PRIMARY KEY, event_id uuid, url text,
      status text, attempted_at timestamptz, response_status int);
    CREATE TABLE IF NOT EXISTS floor_log (id uuid PRIMARY KEY, delivery_id uuid, attempt jsonb);`);
  await pg.end();
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const kafka = (): Kafka =>
  new Kafka({
    clientId: 'floor',
    brokers: env('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
const topic = (name: keyof typeof floorTopics): string =>
  `${env('FLOOR_PREFIX')}${floorTopics[name]}`;

/** A consumer of `topics` handing each batch to `handle`, committing after it. */
async function consume(
  client: Kafka,
  group: string,
  topics: string[],
  handle: (batch: EachBatchPayload['batch']) => Promise<void>,
): Promise<void> {
  const consumer = client.consumer({
    groupId: `${env('FLOOR_PREFIX')}${group}`,
    maxWaitTimeInMs: 500,
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      if (batch.isEmpty()) return;
      await handle(batch);
      resolveOffset(batch.lastOffset());
    },
  });
}

async function ingress(port: number, sources: Map<string, FloorSource>): Promise<void> {
  const producer = new BatchingProducer(kafka());
  await producer.connect();
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );
  app.get('/health/ready', async () => ({ ok: true }));
  app.post<{ Params: { sourceId: string } }>('/webhooks/meta/:sourceId', async (request, reply) => {
    const source = sources.get(request.params.sourceId);
    if (!source) return reply.code(404).send({ error: 'source_not_found' });
    const body = request.body as Buffer;
    const given = Buffer.from(
      String(request.headers['x-hub-signature-256'] ?? '').replace(/^sha256=/, ''),
      'hex',
    );
    const expected = createHmac('sha256', source.secret).update(body).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reply.code(401).send({ error: 'signature_mismatch' });
    }
    const id = randomUUID();
    const envelope = JSON.stringify({
      id,
      sourceId: request.params.sourceId,
      businessId: source.businessId,
      receivedAt: new Date().toISOString(),
      body: body.toString('base64'),
    });
    await producer.send(topic('raw'), { key: request.params.sourceId, value: envelope });
    return { id };
  });
  await app.listen({ port, host: '127.0.0.1' });
}

interface Envelope {
  id: string;
  sourceId: string;
  businessId: string;
  receivedAt: string;
  body: string;
}

async function normalizer(databaseUrl: string): Promise<void> {
  const client = kafka();
  const producer = new BatchingProducer(client);
  await producer.connect();
  const pg = new PgPool({ connectionString: databaseUrl, max: 4 });
  await consume(client, 'floor-normalizer', [topic('raw')], async (batch) => {
    const raws: Envelope[] = [];
    const events: { id: string; rawId: string; key: string; json: string }[] = [];
    for (const message of batch.messages) {
      const envelope = JSON.parse(message.value!.toString()) as Envelope;
      raws.push(envelope);
      const payload = JSON.parse(Buffer.from(envelope.body, 'base64').toString('utf8'));
      const value = payload.entry[0].changes[0].value;
      const contact = value.messages?.[0]?.from ?? value.statuses?.[0]?.recipient_id ?? '';
      const event = {
        id: randomUUID(),
        type: value.messages ? 'whatsapp.message.received' : 'whatsapp.message.status_updated',
        businessid: envelope.businessId,
        sourceid: envelope.sourceId,
        time: new Date().toISOString(),
        data: value,
      };
      events.push({
        id: event.id,
        rawId: envelope.id,
        key: `${envelope.businessId}:${contact}`,
        json: JSON.stringify(event),
      });
    }
    await pg.query(
      `WITH raw AS (
         INSERT INTO floor_raw (id, source_id, body, received_at)
         SELECT (r->>'id')::uuid, r->>'sourceId', decode(r->>'body', 'base64'), (r->>'receivedAt')::timestamptz
         FROM jsonb_array_elements($1::jsonb) r
         ON CONFLICT DO NOTHING)
       INSERT INTO floor_events (id, raw_id, event)
       SELECT (e->>'id')::uuid, (e->>'rawId')::uuid, e->'event' FROM jsonb_array_elements($2::jsonb) e
       ON CONFLICT DO NOTHING`,
      [
        JSON.stringify(raws),
        `[${events.map((e) => `{"id":"${e.id}","rawId":"${e.rawId}","event":${e.json}}`).join(',')}]`,
      ],
    );
    await producer.sendAll(
      events.map((e) => ({ topic: topic('events'), message: { key: e.key, value: e.json } })),
    );
  });
}

async function delivery(databaseUrl: string, sources: Map<string, FloorSource>): Promise<void> {
  const client = kafka();
  const producer = new BatchingProducer(client);
  await producer.connect();
  const pg = new PgPool({ connectionString: databaseUrl, max: 4 });
  const pools = new Map<string, Pool>();
  const poolOf = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: 32, keepAliveTimeout: 60_000 });
      pools.set(origin, pool);
    }
    return pool;
  };
  await consume(client, 'floor-delivery', [topic('events')], async (batch) => {
    const deliveries = batch.messages.map((message) => {
      const json = message.value!.toString();
      const event = JSON.parse(json) as { id: string; sourceid: string };
      return {
        id: randomUUID(),
        eventId: event.id,
        json,
        url: new URL(sources.get(event.sourceid)!.url),
      };
    });
    await pg.query(
      `INSERT INTO floor_deliveries (id, event_id, url, status)
       SELECT d.id, d.event_id, d.url, 'pending'
       FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS d(id, event_id, url)`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.eventId),
        deliveries.map((d) => d.url.href),
      ],
    );
    const statuses = await Promise.all(
      deliveries.map(async (d) => {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const signature = createHmac('sha256', 'floor-subscriber-secret')
          .update(`${d.id}.${timestamp}.${d.json}`)
          .digest('base64');
        try {
          const res = await poolOf(d.url.origin).request({
            path: d.url.pathname,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'webhook-id': d.id,
              'webhook-timestamp': timestamp,
              'webhook-signature': `v1,${signature}`,
            },
            body: d.json,
          });
          await res.body.dump();
          return res.statusCode;
        } catch {
          return 0;
        }
      }),
    );
    await pg.query(
      `UPDATE floor_deliveries d SET status = CASE WHEN o.code BETWEEN 200 AND 299 THEN 'delivered' ELSE 'failed' END,
         attempted_at = now(), response_status = o.code
       FROM unnest($1::uuid[], $2::int[]) AS o(id, code) WHERE d.id = o.id`,
      [deliveries.map((d) => d.id), statuses],
    );
    await producer.sendAll(
      deliveries.map((d, i) => ({
        topic: topic('attempts'),
        message: {
          key: d.eventId,
          value: JSON.stringify({
            id: randomUUID(),
            deliveryId: d.id,
            eventId: d.eventId,
            status: statuses[i],
            at: new Date().toISOString(),
          }),
        },
      })),
    );
  });
}

async function log(databaseUrl: string): Promise<void> {
  const pg = new PgPool({ connectionString: databaseUrl, max: 2 });
  await consume(kafka(), 'floor-log', [topic('attempts')], async (batch) => {
    await pg.query(
      `INSERT INTO floor_log (id, delivery_id, attempt)
       SELECT (a->>'id')::uuid, (a->>'deliveryId')::uuid, a FROM jsonb_array_elements($1::jsonb) a
       ON CONFLICT DO NOTHING`,
      [`[${batch.messages.map((m) => m.value!.toString()).join(',')}]`],
    );
  });
}

/** A readiness endpoint for the roles that serve no HTTP of their own. */
function ready(port: number): void {
  createServer((_req, res) => res.writeHead(200).end('{"ok":true}')).listen(port, '127.0.0.1');
}

async function main(role: FloorRole): Promise<void> {
  const port = Number(env('PORT'));
  const sources = new Map(
    Object.entries(JSON.parse(env('FLOOR_SOURCES')) as Record<string, FloorSource>),
  );
  const databaseUrl = env('DATABASE_URL');
  if (role === 'ingress') return ingress(port, sources);
  if (role === 'normalizer') await normalizer(databaseUrl);
  else if (role === 'delivery') await delivery(databaseUrl, sources);
  else await log(databaseUrl);
  ready(port);
}

if (require.main === module) {
  const role = process.argv[2] as FloorRole;
  if (!floorRoles.includes(role)) throw new Error(`role must be one of ${floorRoles.join(', ')}`);
  main(role).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
  process.on('SIGTERM', () => process.exit(0));
}
