import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { makeTestCertificates, type TestCertificates } from '@switchboard/testing';
import { createKafkaClient } from './kafka-client';

/**
 * A TLS listener standing in for a broker's TLS port: it completes handshakes and records the
 * first bytes each client sends (a Kafka request frame), answering nothing.
 */
async function tlsListener(certs: TestCertificates) {
  const received: Buffer[] = [];
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ cert: certs.serverCert, key: certs.serverKey }, (socket) => {
    sockets.add(socket);
    socket.once('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe(createKafkaClient.name, () => {
  let certs: TestCertificates;
  let listener: Awaited<ReturnType<typeof tlsListener>>;

  beforeAll(async () => {
    certs = makeTestCertificates(['localhost']);
    listener = await tlsListener(certs);
  });

  afterAll(async () => {
    await listener.close();
    certs.remove();
  });

  /** Connects an admin client to the listener and returns why it failed. */
  async function connectError(ca: string, host: string): Promise<Error> {
    const kafka = createKafkaClient({
      clientId: 'tls-test',
      brokers: [`${host}:${listener.port}`],
      ssl: { rejectUnauthorized: true, ca },
      connectionTimeoutMs: 2_000,
      requestTimeoutMs: 1_000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
    } catch (err) {
      return err as Error;
    } finally {
      await admin.disconnect();
    }
    throw new Error('expected the connection to fail');
  }

  it('speaks Kafka over TLS to a broker whose certificate the CA file vouches for', async () => {
    // given a client trusting the listener's CA, addressing it by the name in its certificate
    const before = listener.received.length;

    // when it connects (the listener never answers the request, so the request times out)
    const error = await connectError(readFileSync(certs.caFile, 'utf8'), 'localhost');

    // then the handshake succeeded and a Kafka request went through the encrypted socket
    expect(error.message).not.toMatch(/certificate|self.signed|altname/i);
    expect(listener.received.length).toBeGreaterThan(before);
    const frame = listener.received.at(-1)!;
    expect(frame.readInt32BE(0)).toBe(frame.length - 4); // size-prefixed request
    expect(frame.readInt16BE(4)).toBe(18); // ApiVersions, the first request kafkajs sends
  });

  it('refuses a broker whose certificate another CA signed', async () => {
    const before = listener.received.length;
    const error = await connectError(readFileSync(certs.otherCaFile, 'utf8'), 'localhost');
    expect(String(error.cause ?? error.message)).toMatch(
      /self.signed|unable to verify|certificate/i,
    );
    expect(listener.received.length).toBe(before);
  });

  it('refuses a broker reached by a name its certificate does not hold', async () => {
    // given the right CA, but the broker addressed by IP while its certificate names "localhost"
    const before = listener.received.length;
    const error = await connectError(readFileSync(certs.caFile, 'utf8'), '127.0.0.1');

    // then the host name check fails and nothing is sent
    expect(String(error.cause ?? error.message)).toMatch(
      /IP: 127\.0\.0\.1 is not in the cert's list|altname/i,
    );
    expect(listener.received.length).toBe(before);
  });
});
