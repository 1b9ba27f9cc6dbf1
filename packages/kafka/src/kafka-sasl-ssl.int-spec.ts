import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  eventually,
  freePort,
  makeTestCertificates,
  repoRoot,
  type TestCertificates,
} from '@switchboard/testing';
import { kafkaTransportEnv } from '@switchboard/service-kit';
import { createKafkaClient, kafkaSecurity } from './kafka-client';

const USER = 'switchboard';

/** Whether something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A properties value on one line: Java's Properties reads `\n` back as a line break. */
const oneLine = (pem: string) => pem.trim().replace(/\r?\n/g, '\\n');

/**
 * A Kafka broker of its own (the jars `infra/kafka/kafka.sh` fetched) whose only client listener
 * is SASL_SSL: a PEM certificate for `localhost` signed by a test CA, SCRAM-SHA-512 with one user.
 */
async function startSecureBroker(certs: TestCertificates, password: string) {
  const libs = join(repoRoot(__dirname), '.local', 'kafka', 'libs');
  if (!existsSync(libs) || readdirSync(libs).length === 0) {
    throw new Error(`No Kafka jars in ${libs}: run \`bash infra/kafka/kafka.sh start\` once`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-kafka-tls-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const jaas = (name: string) =>
    `org.apache.kafka.common.security.scram.ScramLoginModule required username="${name}" password="${password}";`;
  const props = join(dir, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=SASL_SSL://localhost:${port}`,
      'listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=SASL_SSL',
      'controller.listener.names=CONTROLLER',
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas(USER)}`,
      'ssl.keystore.type=PEM',
      `ssl.keystore.certificate.chain=${oneLine(certs.serverCert)}`,
      `ssl.keystore.key=${oneLine(certs.serverKey)}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.certificates=${oneLine(readFileSync(certs.caFile, 'utf8'))}`,
      `log.dirs=${join(dir, 'data')}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
    ].join('\n') + '\n',
  );
  const classpath = `${libs}/*`;
  const log4j = `-Dlog4j2.configurationFile=${join(repoRoot(__dirname), 'infra', 'kafka', 'tools-log4j2.properties')}`;
  // the user's SCRAM credentials are part of the formatted metadata, as a production setup may do
  execFileSync(
    'java',
    [
      log4j,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      randomBytes(16).toString('base64url'),
      '-c',
      props,
      '--add-scram',
      `SCRAM-SHA-512=[name=${USER},password=${password}]`,
    ],
    { stdio: 'pipe', timeout: 120_000 },
  );
  let output = '';
  const broker: ChildProcess = spawn(
    'java',
    ['-Xms128m', '-Xmx512m', log4j, '-cp', classpath, 'kafka.Kafka', props],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  broker.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  broker.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const stop = async () => {
    if (broker.exitCode === null) {
      broker.kill('SIGKILL');
      await new Promise((resolve) => broker.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { port, stop, output: () => output, exited: () => broker.exitCode !== null };
}

describe('Kafka over TLS with SASL/SCRAM (a real broker with a SASL_SSL listener)', () => {
  const password = `scram-${randomBytes(12).toString('hex')}`;
  let certs: TestCertificates;
  let broker: Awaited<ReturnType<typeof startSecureBroker>>;

  /** A client configured the way a service is, from its environment. */
  const clientOf = (env: { password?: string; sasl?: boolean }) =>
    createKafkaClient({
      clientId: 'sasl-ssl-test',
      brokers: [`localhost:${broker.port}`],
      connectionTimeoutMs: 5_000,
      requestTimeoutMs: 10_000,
      retry: { retries: 0 },
      ...kafkaSecurity(
        kafkaTransportEnv.parse({
          KAFKA_SSL: 'true',
          KAFKA_SSL_CA_FILE: certs.caFile,
          ...(env.sasl === false
            ? {}
            : {
                KAFKA_SASL_MECHANISM: 'scram-sha-512',
                KAFKA_SASL_USERNAME: USER,
                KAFKA_SASL_PASSWORD: env.password ?? password,
              }),
        }),
      ),
    });

  beforeAll(async () => {
    certs = makeTestCertificates(['localhost']);
    broker = await startSecureBroker(certs, password);
    // the broker is up once the right credentials get an answer
    await eventually(
      async () => {
        if (broker.exited()) throw new Error(`the broker exited:\n${broker.output()}`);
        // (no client before the port listens: kafkajs would log every refused connection)
        if (!(await listening(broker.port))) return undefined;
        const admin = clientOf({}).admin();
        try {
          await admin.connect();
          await admin.listTopics();
          return true;
        } finally {
          await admin.disconnect();
        }
      },
      { timeoutMs: 120_000, intervalMs: 1_000, what: 'the SASL_SSL broker to answer' },
    );
  }, 180_000);

  afterAll(async () => {
    try {
      await broker?.stop();
    } finally {
      certs?.remove();
    }
  });

  it('writes and reads a record through TLS with SCRAM-SHA-512, as a service configured so would', async () => {
    // given a topic made over the secured listener
    const kafka = clientOf({});
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    try {
      await admin.createTopics({ topics: [{ topic: 'secured', numPartitions: 1 }] });

      // when a record is written
      await producer.connect();
      await producer.send({ topic: 'secured', acks: -1, messages: [{ value: 'over tls' }] });

      // then the broker holds it
      const offsets = await eventually(async () => {
        const [p] = await admin.fetchTopicOffsets('secured');
        return Number(p?.high) >= 1 ? p : undefined;
      });
      expect(Number(offsets.high)).toBe(1);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('is refused with a wrong password, and without SASL at all', async () => {
    const failure = async (env: { password?: string; sasl?: boolean }) => {
      const admin = clientOf(env).admin();
      try {
        await admin.connect();
        await admin.listTopics();
        return 'connected';
      } catch (err) {
        return (err as Error).message;
      } finally {
        await admin.disconnect();
      }
    };
    expect(await failure({ password: 'not-the-password' })).toMatch(/SASL|authentication/i);
    expect(await failure({ sasl: false })).not.toBe('connected');
  });
});
