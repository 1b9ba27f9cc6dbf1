import { randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  freePort,
  type ServiceName,
  ServiceProcess,
  type TestDatabase,
  testKafka,
  testKafkaBrokers,
  TestReceiver,
  uniqueName,
} from '@switchboard/testing';
import { adminCall } from './admin-client';
import {
  type Business,
  createBusiness,
  createMetaBusiness,
  type MetaBusiness,
} from './meta-business';

/** Every service of the pipeline, in the order the suites start them. */
export const allServices: readonly ServiceName[] = [
  'ingress',
  'normalizer',
  'subscriptions',
  'delivery',
];

export interface StackOptions {
  /** This run's topic prefix. */
  prefix: string;
  databaseUrl: string;
  operatorKey: string;
  /** The admin API's gRPC port (a free one when not given). */
  grpcPort?: number;
  /** More settings for every service, e.g. DATABASE_MIGRATIONS. */
  env?: Record<string, string>;
}

/**
 * Starts services as processes of one stack into `services`: one topic prefix, database and
 * operator key, ingress's public URL for the sources' webhook URLs, and subscribers on this
 * machine allowed. Does not wait for them to be ready.
 */
export async function startServices(
  services: Map<ServiceName, ServiceProcess>,
  names: readonly ServiceName[],
  options: StackOptions,
): Promise<void> {
  const ingressPort = await freePort();
  for (const name of names) {
    const service = new ServiceProcess(name, name === 'ingress' ? ingressPort : await freePort(), {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: options.prefix,
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: 'warn',
      OPERATOR_API_KEY: options.operatorKey,
      PUBLIC_INGRESS_URL: `http://127.0.0.1:${ingressPort}`,
      // The subscribers run on this machine: an operator allowlist lets the services reach them.
      ALLOW_HTTP_ADDRESSES: 'true',
      ADDRESS_ALLOWLIST: '127.0.0.1/32',
      GRPC_PORT: String(options.grpcPort ?? (await freePort())),
      ...options.env,
    });
    services.set(name, service);
    service.start();
  }
}

/** The subscriber's path on a suite's receiver. */
export const hooksPath = 'hooks/whatsapp';

/** A subscriber's endpoint on 127.0.0.1 that records every request and answers 200 with JSON. */
export function startReceiver(): Promise<TestReceiver> {
  return new TestReceiver({
    reply: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
  }).start();
}

/** The services of one end-to-end suite, its database, topic prefix and operator key. */
export interface Stack {
  readonly prefix: string;
  readonly operatorKey: string;
  /** The services `start` started, by name. */
  readonly services: Map<ServiceName, ServiceProcess>;
  readonly databaseUrl: string;
  /** A started service. */
  service(name: ServiceName): ServiceProcess;
  /** Starts services of the stack (`env` over the common settings) and waits until they are ready. */
  start(
    names: readonly ServiceName[],
    options?: Pick<StackOptions, 'env' | 'grpcPort'>,
  ): Promise<void>;
  /** One call to the admin API of the stack's subscriptions service. */
  admin<T>(
    method: string,
    path: string,
    auth: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** A new business (answered 201): its id, base path and API key header. */
  createBusiness(name: string): Promise<Business>;
  /** A business with a Meta source and a `messages` subscription to `address` (see createMetaBusiness). */
  createMetaBusiness(options: {
    name: string;
    appSecret: string;
    address: string;
  }): Promise<MetaBusiness>;
}

/**
 * The stack of an end-to-end suite named `name`: registers a `beforeAll` that creates its
 * database, and an `afterAll` that stops every service it started (SIGTERM), drops the database
 * and deletes the run's topics. The suite starts the services it needs with `start`.
 */
export function useStack(name: string): Stack {
  const prefix = `${uniqueName(`e2e-${name}`)}.`;
  const operatorKey = `op_${randomUUID()}`;
  const services = new Map<ServiceName, ServiceProcess>();
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(`e2e_${name}`);
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop('SIGTERM')));
    await database?.drop();
    await deleteTopicsWithPrefix(testKafka(), prefix);
  });

  const stack: Stack = {
    prefix,
    operatorKey,
    services,
    get databaseUrl() {
      if (!database) throw new Error('The stack is set up in beforeAll: use it inside a test');
      return database.url;
    },
    service(serviceName) {
      const service = services.get(serviceName);
      if (!service) throw new Error(`${serviceName} is not started`);
      return service;
    },
    async start(names, options = {}) {
      await startServices(services, names, {
        prefix,
        databaseUrl: stack.databaseUrl,
        operatorKey,
        ...options,
      });
      await Promise.all(names.map((n) => stack.service(n).waitReady()));
    },
    admin(method, path, auth, body) {
      return adminCall(stack.service('subscriptions').url, method, path, auth, body);
    },
    createBusiness(businessName) {
      return createBusiness(stack.admin, operatorKey, businessName);
    },
    createMetaBusiness(options) {
      return createMetaBusiness(stack.admin, operatorKey, options);
    },
  };
  return stack;
}
