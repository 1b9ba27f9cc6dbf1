/**
 * The baseline for the ingress benchmark: a bare Fastify server that does what ingress must do
 * before it may answer — check `X-Hub-Signature-256` (HMAC-SHA256 over the raw body) — and answers
 * 200 with an id, without Kafka. Run as a child process by `bench/ingress.ts`.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';

const secret = process.env.BENCH_META_SECRET ?? 'bench-meta-app-secret';
const port = Number(process.env.PORT ?? 0);

const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

app.get('/health/live', async () => ({ status: 'ok' }));
app.post('/webhooks/meta/:sourceId', async (req, reply) => {
  const header = req.headers['x-hub-signature-256'];
  const body = req.body as Buffer;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(typeof header === 'string' ? header : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return reply.code(401).send({ error: { code: 'invalid_signature', message: 'bad signature' } });
  }
  return reply.code(200).send({ id: randomUUID() });
});

app.listen({ port, host: '127.0.0.1' }).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
