import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  freePort,
  type ServiceName,
  ServiceProcess,
  type TestDatabase,
  testKafka,
  testKafkaBrokers,
  uniqueName,
} from '@switchboard/testing';

const names: ServiceName[] = ['ingress', 'normalizer', 'subscriptions', 'delivery'];

describe('the four services as processes', () => {
  const prefix = `${uniqueName('e2e')}.`;
  let database: TestDatabase;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('e2e_services');
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop('SIGKILL')));
    await database?.drop();
    await deleteTopicsWithPrefix(testKafka(), prefix);
  });

  it('start, answer live, ready and metrics, and stop cleanly on SIGTERM', async () => {
    // given every service started against real Kafka and PostgreSQL
    for (const name of names) {
      const service = new ServiceProcess(name, await freePort(), {
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        DATABASE_URL: database.url,
        LOG_LEVEL: 'info',
        ...(name === 'subscriptions' ? { GRPC_PORT: String(await freePort()) } : {}),
      });
      services.push(service);
      service.start();
    }

    // when they are up, then each reports ready, live and Prometheus metrics
    await Promise.all(services.map((s) => s.waitReady()));
    for (const service of services) {
      const live = await fetch(`${service.url}/health/live`);
      expect(live.status).toBe(200);
      const ready = (await (await fetch(`${service.url}/health/ready`)).json()) as {
        checks: Record<string, { ok: boolean }>;
      };
      expect(ready.checks.kafka?.ok).toBe(true);
      if (service.name !== 'ingress') expect(ready.checks.postgres?.ok).toBe(true);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toContain('process_cpu_user_seconds_total');
      expect(metrics).toContain(`service="${service.name}"`);
    }

    // and the catalog's topics exist under this run's prefix
    const admin = testKafka().admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).toEqual(
      expect.arrayContaining([
        `${prefix}switchboard.inbound.raw.v1`,
        `${prefix}switchboard.config.v1`,
      ]),
    );

    // when they are asked to stop, then each shuts down by itself, logging JSON lines only
    for (const service of services) {
      const ended = await service.stop('SIGTERM');
      expect(ended.code === 0 || ended.signal === 'SIGTERM').toBe(true);
      const lines = service.logs
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      expect(lines.length).toBeGreaterThan(0);
      expect(service.logs).not.toMatch(/"level":50/);
    }
  });

  it('refuses to start with a bad environment, naming every bad variable', async () => {
    // given an ingress configured with two bad values
    const service = new ServiceProcess('ingress', await freePort(), {
      KAFKA_REPLICATION_FACTOR: 'zero',
      KAFKA_TOPIC_PREFIX: 'bad prefix!',
    });
    service.start();

    // then it exits non-zero and names both variables
    expect(await service.exited()).toBe(1);
    expect(service.logs).toContain('Invalid configuration for ingress');
    expect(service.logs).toContain('KAFKA_REPLICATION_FACTOR');
    expect(service.logs).toContain('KAFKA_TOPIC_PREFIX');
  });
});
