import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { type ServiceError, status } from '@grpc/grpc-js';
import { createTestDatabase } from '@switchboard/testing';
import { AdminGrpcClient } from '../../test/grpc-client';
import { SubscriptionsUnderTest } from '../../test/subscriptions-app';
import type { CreatedBusiness } from '../businesses/businesses.schemas';

/** A TCP hop in front of PostgreSQL that the test takes down and brings back. */
class PostgresHop {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** PostgreSQL is gone: open connections drop, new ones are refused. */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

interface ErrorBody {
  error: { code: string; message: string };
}

describe('admin API while PostgreSQL is down (real PostgreSQL and Kafka)', () => {
  const service = new SubscriptionsUnderTest();
  let hop: PostgresHop;
  let business: CreatedBusiness;
  let grpc: AdminGrpcClient;

  beforeAll(async () => {
    service.database = await createTestDatabase('subscriptions');
    const url = new URL(service.database.url);
    hop = new PostgresHop({ host: url.hostname, port: Number(url.port || 5432) });
    await hop.up();
    url.host = `127.0.0.1:${hop.port}`;
    await service.start({ DATABASE_URL: url.toString(), LOG_LEVEL: 'fatal' });
    business = await service.createBusiness({ name: 'Acme' });
    grpc = new AdminGrpcClient(service.grpcAddress);
  });

  afterAll(async () => {
    grpc?.close();
    await hop.up();
    await service.stop();
    await hop.down();
  });

  function deliveries() {
    return service.request<ErrorBody>({
      method: 'GET',
      url: `/v1/businesses/${business.id}/deliveries`,
      headers: { 'x-api-key': business.apiKey.key },
    });
  }

  it('answers 503 database_unavailable with Retry-After, and 200 again once it is back', async () => {
    // given a working API
    expect((await deliveries()).statusCode).toBe(200);

    // when PostgreSQL goes away
    await hop.down();

    // then reads and writes are answered 503 with Retry-After, never 500
    for (const response of [
      await deliveries(),
      await deliveries(),
      await service.request<ErrorBody>({
        method: 'POST',
        url: '/v1/businesses',
        headers: service.operator(),
        payload: { name: 'Other' },
      }),
    ]) {
      expect({ status: response.statusCode, retryAfter: response.headers['retry-after'] }).toEqual({
        status: 503,
        retryAfter: '5',
      });
      expect(response.body.error.code).toBe('database_unavailable');
    }

    // and once it is back, the same request succeeds
    await hop.up();
    expect((await deliveries()).statusCode).toBe(200);
  });

  /** How a gRPC call failed: status, message, and the error code and Retry-After in metadata. */
  async function grpcFailure(call: Promise<unknown>) {
    const err = await call.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: ServiceError) => e,
    );
    return {
      code: err.code,
      details: err.details,
      errorCode: err.metadata.get('error-code')[0],
      retryAfter: err.metadata.get('retry-after')[0],
    };
  }

  it('answers gRPC calls UNAVAILABLE database_unavailable, and serves them again once it is back', async () => {
    // given a working gRPC API
    const key = { 'x-api-key': business.apiKey.key };
    const list = () => grpc.call('Deliveries', 'ListDeliveries', { businessId: business.id }, key);
    await expect(list()).resolves.toBeDefined();

    // when PostgreSQL goes away
    await hop.down();

    // then reads and writes fail UNAVAILABLE with a clear message, never INTERNAL
    const create = grpc.call(
      'Businesses',
      'CreateBusiness',
      { name: 'Other' },
      { authorization: `Bearer ${service.operatorKey}` },
    );
    for (const failure of [await grpcFailure(list()), await grpcFailure(create)]) {
      expect(failure).toEqual({
        code: status.UNAVAILABLE,
        details: 'The database is unavailable; retry shortly',
        errorCode: 'database_unavailable',
        retryAfter: '5',
      });
    }

    // and once it is back, the same call succeeds
    await hop.up();
    await expect(list()).resolves.toBeDefined();
  });
});
