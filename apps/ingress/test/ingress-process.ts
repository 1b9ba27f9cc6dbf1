import { request as httpRequest } from 'node:http';
import { ConfigTopic, configKey, encode, type SourceRecord } from '@switchboard/contracts';
import { readFixture } from '@switchboard/fixtures';
import {
  ensureBuilt,
  eventually,
  freePort,
  ServiceProcess,
  testKafka,
  testKafkaBrokers,
} from '@switchboard/testing';
import { metaHeaders, secretOf } from './signing';

/** Publishes source records on the config topic of `prefix` (the ingress's topic prefix). */
export async function publishSources(prefix: string, ...sources: SourceRecord[]): Promise<void> {
  const producer = testKafka().producer();
  await producer.connect();
  try {
    await producer.send({
      topic: `${prefix}${ConfigTopic.name}`,
      messages: sources.map((s) => ({ key: configKey(s), value: encode(ConfigTopic, s) })),
    });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Starts the built ingress (`node dist/main.js`, built first when out of date) as a process of its
 * own, so that what it holds in memory can be measured apart from the test's own: its topics
 * under `prefix`, `env` on top. Resolves once it knows `sources` and stores a signed webhook for
 * the first of them.
 */
export async function startIngressProcess(
  prefix: string,
  sources: readonly [SourceRecord, ...SourceRecord[]],
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  ensureBuilt('ingress');
  const ingress = new ServiceProcess('ingress', await freePort(), {
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...env,
  });
  ingress.start();
  try {
    await ingress.waitReady();
    await publishSources(prefix, ...sources);
    const body = readFixture('meta/text-message.json');
    await eventually(
      async () =>
        (await postSignedMeta(ingress.url, sources[0], body)).status === 200 ? true : undefined,
      { what: 'ingress to store a signed webhook' },
    );
  } catch (err) {
    await ingress.stop('SIGKILL');
    throw err;
  }
  return ingress;
}

/**
 * Posts a signed Meta webhook on a connection of its own; resolves with the status, the
 * `Retry-After` header and the time from sending to the whole answer.
 */
export function postSignedMeta(
  baseUrl: string,
  source: SourceRecord,
  body: Buffer,
): Promise<{ status: number; retryAfter: string | undefined; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${baseUrl}/webhooks/meta/${source.id}`,
      {
        method: 'POST',
        agent: false,
        headers: { ...metaHeaders(secretOf(source), body), 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
