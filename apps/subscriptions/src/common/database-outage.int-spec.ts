import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { createTestDatabase } from '@switchboard/testing';
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

  beforeAll(async () => {
    service.database = await createTestDatabase('subscriptions');
    const url = new URL(service.database.url);
    hop = new PostgresHop({ host: url.hostname, port: Number(url.port || 5432) });
    await hop.up();
    url.host = `127.0.0.1:${hop.port}`;
    await service.start({ DATABASE_URL: url.toString(), LOG_LEVEL: 'fatal' });
    business = (
      await service.request<CreatedBusiness>({
        method: 'POST',
        url: '/v1/businesses',
        headers: service.operator(),
        payload: { name: 'Acme' },
      })
    ).body;
  });

  afterAll(async () => {
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
});
