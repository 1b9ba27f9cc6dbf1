import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fixtureJson } from '@switchboard/fixtures';
import { eventually, testKafkaBrokers, uniqueName } from '@switchboard/testing';
import { useStack } from './stack';
import { ingressKnows, postMeta } from './meta-business';

const root = join(__dirname, '..', '..');
const appSecret = 'e2e-consumer-app-secret';

/**
 * The example consumer of docs/consumers.md (examples/messages-consumer.ts), run as a process of
 * its own against ingress and the normalizer: a Meta webhook posted to ingress comes out of it as
 * one line, also when Meta sends the same webhook again.
 */
describe('the example Kafka consumer of switchboard.messages.v1', () => {
  const stack = useStack('consumer');
  let example: ChildProcess | undefined;
  let printed = '';
  let noted = '';

  beforeAll(async () => {
    await stack.start(['ingress', 'normalizer', 'subscriptions']);
  });

  afterAll(async () => {
    example?.kill('SIGTERM');
  });

  it('prints each inbound message once, decoded with the contracts package', async () => {
    // given a business with a Meta source that ingress knows
    const { admin } = stack;
    const { businessId, key, base } = await stack.createBusiness('Consumer Shoes');
    const source = await admin<{ webhookUrl: string; verifyToken: string }>(
      'POST',
      `${base}/sources`,
      key,
      { provider: 'meta', appSecret },
    );
    expect(source.status).toBe(201);
    await ingressKnows(source.body);

    // and the example consumer running in a group of its own
    example = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['examples/messages-consumer.ts'], {
      cwd: root,
      env: {
        ...process.env,
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: stack.prefix,
        GROUP_ID: uniqueName('example-consumer'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    example.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    example.stderr!.on('data', (chunk: Buffer) => (noted += chunk.toString()));
    await eventually(() => (noted.includes('"ready":true') ? true : undefined), {
      timeoutMs: 60_000,
      what: `the example consumer to start (stderr: ${noted})`,
    });

    // when Meta posts a signed text message, and then the same webhook again
    const wamid = `wamid.consumer-${randomUUID()}`;
    const payload = fixtureJson<{
      entry: { changes: { value: { messages: { id: string }[] } }[] }[];
    }>('meta/text-message.json');
    payload.entry[0]!.changes[0]!.value.messages[0]!.id = wamid;
    const body = Buffer.from(JSON.stringify(payload));
    for (let i = 0; i < 2; i++) {
      expect(await postMeta(source.body.webhookUrl, appSecret, body)).toBe(200);
    }

    // then the example prints the message as a decoded event, once
    const line = await eventually(() => printed.split('\n').find((l) => l.includes(wamid)), {
      timeoutMs: 60_000,
      what: `the example to print the message (stderr: ${noted})`,
    });
    const event = JSON.parse(line) as Record<string, string>;
    expect(event).toMatchObject({
      business: businessId,
      messageId: wamid,
      messageType: 'text',
    });
    expect(event.conversation).toMatch(/^\d+:\d+$/);
    // and not twice, once the second webhook has had time to pass through
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(printed.split('\n').filter((l) => l.includes(wamid))).toHaveLength(1);
  });
});
