import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { makeTestCertificates, type TestCertificates } from '@switchboard/testing';
import { Client } from 'pg';
import { postgresConnection } from './postgres-connection';

const SSL_REQUEST_CODE = 80877103;

/**
 * The start of PostgreSQL's TLS negotiation, served for real: it answers the client's
 * SSLRequest with "S", completes the TLS handshake with its certificate and records the first
 * message the client sends through it (the startup message), answering nothing more.
 */
async function postgresTlsListener(certs: TestCertificates) {
  const startupMessages: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', (request: Buffer) => {
      if (request.length !== 8 || request.readInt32BE(4) !== SSL_REQUEST_CODE) {
        socket.destroy();
        return;
      }
      socket.write('S');
      const secure = new tls.TLSSocket(socket, {
        isServer: true,
        cert: certs.serverCert,
        key: certs.serverKey,
      });
      sockets.add(secure);
      secure.on('error', () => undefined);
      secure.once('data', (chunk: Buffer) => startupMessages.push(chunk));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    startupMessages,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe(`${postgresConnection.name} against a TLS listener`, () => {
  let certs: TestCertificates;
  let listener: Awaited<ReturnType<typeof postgresTlsListener>>;

  beforeAll(async () => {
    certs = makeTestCertificates(['localhost']);
    listener = await postgresTlsListener(certs);
  });

  afterAll(async () => {
    await listener.close();
    certs.remove();
  });

  /** Connects with the options mapped from `url` and returns the error and what got through. */
  async function connect(url: string, caFile?: string) {
    const before = listener.startupMessages.length;
    const client = new Client({
      ...postgresConnection({
        DATABASE_URL: url,
        ...(caFile ? { DATABASE_SSL_CA_FILE: caFile } : {}),
      }),
      connectionTimeoutMillis: 1_500,
    });
    client.on('error', () => undefined);
    const error = await client.connect().then(
      () => new Error('unexpectedly connected'),
      (err: Error) => err,
    );
    await client.end().catch(() => undefined);
    return { error, startupSent: listener.startupMessages.length > before };
  }

  it('verify-full reaches a server whose certificate the CA vouches for, by its name', async () => {
    // when the client connects by the name in the certificate, trusting its CA
    const { error, startupSent } = await connect(
      `postgres://app:pw@localhost:${listener.port}/app?sslmode=verify-full`,
      certs.caFile,
    );

    // then the startup message went through TLS (the listener then stays silent: a timeout)
    expect(startupSent).toBe(true);
    expect(error.message).not.toMatch(/certificate|altname/i);
  });

  it('verify-full refuses a certificate another CA signed', async () => {
    const { error, startupSent } = await connect(
      `postgres://app:pw@localhost:${listener.port}/app?sslmode=verify-full`,
      certs.otherCaFile,
    );
    expect(error.message).toMatch(/self.signed|unable to verify|certificate/i);
    expect(startupSent).toBe(false);
  });

  it('verify-full refuses a server reached by a name its certificate does not hold', async () => {
    const { error, startupSent } = await connect(
      `postgres://app:pw@127.0.0.1:${listener.port}/app?sslmode=verify-full`,
      certs.caFile,
    );
    expect(error.message).toMatch(/altnames/);
    expect(startupSent).toBe(false);
  });

  it('verify-ca accepts that name, the chain being right', async () => {
    const { startupSent } = await connect(
      `postgres://app:pw@127.0.0.1:${listener.port}/app?sslmode=verify-ca`,
      certs.caFile,
    );
    expect(startupSent).toBe(true);
  });

  it('verify-full without a CA file checks against the system roots, which do not know a private CA', async () => {
    const { error, startupSent } = await connect(
      `postgres://app:pw@localhost:${listener.port}/app?sslmode=verify-full`,
    );
    expect(error.message).toMatch(/unable to verify|self.signed|certificate/i);
    expect(startupSent).toBe(false);
  });
});
